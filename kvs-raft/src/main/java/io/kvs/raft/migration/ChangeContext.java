package io.kvs.raft.migration;

import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.meta.MetadataMembers;
import io.kvs.raft.meta.ViewChangeProgress;
import io.kvs.raft.server.RaftPeers;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;

import java.util.List;

/**
 * What a view change runs in, fixed when it starts: the cluster, how its nodes are named in
 * Raft, the coordinating node, and the metadata group's members. A coordinator removing itself
 * must finish the change after its own node has left the cluster, so nothing here is read from
 * the node's state as the change goes on.
 */
record ChangeContext(String clusterId, RaftPeers peers, NodeAddress self, List<NodeAddress> metadataMembers) {

    ChangeContext {
        metadataMembers = List.copyOf(metadataMembers);
    }

    /** The same context with the metadata members of {@code change} (those of both its views). */
    ChangeContext following(ViewChangeProgress change) {
        return new ChangeContext(clusterId, peers, self, MetadataMembers.during(change.from(), change.target()));
    }

    /** The same context reaching the metadata group through the nodes of {@code view}. */
    ChangeContext reaching(View view) {
        return new ChangeContext(clusterId, peers, self, view.nodes());
    }

    /** The Raft group of a partition, through its members. */
    RaftGroup group(Partition partition) {
        return peers.group(RaftPeers.partitionGroup(clusterId, partition.group()), partition.members());
    }

    /** A group of this cluster through the given nodes. */
    RaftGroup group(RaftGroup group, List<NodeAddress> through) {
        return peers.group(group.getGroupId(), through);
    }

    /** The metadata group, through its members. */
    RaftGroup metadata() {
        return metadataThrough(metadataMembers);
    }

    /** The metadata group through the given nodes (a configuration change goes through those certain to host it). */
    RaftGroup metadataThrough(List<NodeAddress> nodes) {
        return peers.group(RaftPeers.metadataGroup(clusterId), nodes);
    }

    List<RaftPeer> peersOf(List<NodeAddress> nodes) {
        return nodes.stream().map(peers::peer).toList();
    }
}
