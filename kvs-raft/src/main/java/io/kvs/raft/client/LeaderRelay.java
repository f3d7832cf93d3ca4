package io.kvs.raft.client;

import io.kvs.raft.partition.WriteReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Carries a batch of client writes from the node that took them to the node that leads their
 * group, where they join the writes every other node relays into one log entry. A group's log
 * then takes one large entry per round, not one small entry per node: with the batches of
 * several nodes in one entry, a round's fsyncs, replication and apply serve all of them.
 */
@FunctionalInterface
public interface LeaderRelay {
    /** For a node that relays nothing: every batch goes to the leader through a Raft client. */
    LeaderRelay NONE = (leader, group, encodedPuts) -> null;

    /**
     * The largest batch relayed, encoded; a larger one goes through a Raft client. Large values
     * fill an entry on their own: relayed, they would only be copied once more.
     */
    int MAX_BYTES = 64 * 1024;

    /**
     * The replies of {@code leader}'s group to a batch ({@code PartitionCodec.encode} of a
     * {@code Puts}), one per write, in order; the future fails if the leader did not take the
     * batch (it no longer leads, it cannot be reached, it did not answer in time). Null if this
     * node relays nothing.
     */
    CompletableFuture<List<WriteReply>> relay(RaftPeerId leader, RaftGroupId group, byte[] encodedPuts);
}
