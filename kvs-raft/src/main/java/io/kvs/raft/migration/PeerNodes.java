package io.kvs.raft.migration;

import io.kvs.core.view.NodeAddress;
import io.kvs.raft.hint.HintPage;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.PartitionQuery;

import java.io.IOException;
import java.util.BitSet;
import java.util.List;

/**
 * What a view-change coordinator asks of other nodes directly (not through a Raft group). Every
 * call is bounded, and safe to repeat: an implementation may send one twice.
 */
public interface PeerNodes {

    /** Asks {@code node} to join cluster {@code clusterId} by hosting its metadata group with these members. */
    void join(NodeAddress node, String clusterId, List<NodeAddress> metadataMembers) throws IOException;

    /** The view epoch {@code node} routes by (-1 if it is in no cluster), and whether it is driving a view change. */
    NodeStatus status(NodeAddress node) throws IOException;

    record NodeStatus(long viewEpoch, boolean coordinating) {
    }

    /** Asks {@code node} to leave the cluster if the metadata group no longer counts it a member. */
    void leave(NodeAddress node) throws IOException;

    /**
     * Asks {@code node} to take no more hints for {@code slots} of group {@code groupSerial}
     * until it routes by view {@code untilEpoch}, and returns a page of those it holds, with ids
     * above {@code afterId}.
     */
    HintPage sealHints(NodeAddress node, int groupSerial, BitSet slots, long untilEpoch, long afterId)
            throws IOException;

    /**
     * Fences {@code node}'s replica of group {@code groupSerial} out of the group until it routes
     * by view {@code untilEpoch}: it then appends, votes and leads nothing in the group. Durable
     * on the node when this returns.
     */
    void fence(NodeAddress node, int groupSerial, long untilEpoch) throws IOException;

    /** A page of {@code node}'s own replica of group {@code groupSerial}, unapplied log entries included. */
    ExportPage exportReplica(NodeAddress node, int groupSerial, PartitionQuery.Export query) throws IOException;
}
