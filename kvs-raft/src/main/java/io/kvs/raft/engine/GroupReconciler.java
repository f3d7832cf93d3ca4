package io.kvs.raft.engine;

import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.core.view.ViewChange;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.server.NodeRaftServer;
import io.kvs.raft.server.RaftPeers;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes the node's Raft server host exactly the groups the cluster state says it should: the
 * metadata group, the group of its partition, and during a view change the groups of the
 * target view it will be a member of. Groups are joined as soon as they are wanted; groups no
 * longer wanted are left (and their storage deleted) only when the metadata leader confirms it
 * and no change is in progress, so a replica that a change may still read from, or that the
 * current view still needs, is never dropped.
 */
final class GroupReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(GroupReconciler.class);

    private final NodeAddress self;
    private final RaftPeers peers;
    private final NodeRaftServer raft;

    GroupReconciler(NodeAddress self, RaftPeers peers, NodeRaftServer raft) {
        this.self = self;
        this.peers = peers;
        this.raft = raft;
    }

    /** Whether the state still counts this node as a member of the cluster (now or after the change). */
    boolean isMember(ClusterState state) {
        return state.view().contains(self)
                || state.change() != null && !state.change().isCommitted() && state.change().target().contains(self);
    }

    /**
     * Joins every group {@code state} wants this node in that it does not host yet: as a new
     * member where the group already runs without it, as a founder where it forms now. The node
     * being added campaigns in the groups it founds: it learns of the change last (it first joins
     * the metadata group and catches up with its log), so the other founders host them already.
     */
    void joinWanted(ClusterState state) throws IOException {
        Set<RaftGroupId> running = groupsRunningWithoutSelf(state.view(), state.clusterId());
        boolean added = state.change() != null && state.change().type() == ViewChange.Type.ADD
                && state.change().node().equals(self);
        for (RaftGroup group : wantedGroups(state).values()) {
            if (raft.hosts(group.getGroupId())) {
                continue;
            }
            if (running.contains(group.getGroupId())) {
                raft.joinGroup(group);
            } else {
                raft.found(group, added);
            }
        }
    }

    /** The groups of {@code view} this node is no member of: joining one of them means its leader adds this node. */
    private Set<RaftGroupId> groupsRunningWithoutSelf(View view, String clusterId) {
        Set<RaftGroupId> running = new HashSet<>();
        if (!view.contains(self)) {
            running.add(RaftPeers.metadataGroup(clusterId));
        }
        for (Partition partition : view.partitions()) {
            if (!partition.hasMember(self)) {
                running.add(RaftPeers.partitionGroup(clusterId, partition.group()));
            }
        }
        return running;
    }

    /** Whether this node hosts a partition group {@code state} does not want it in. */
    boolean hostsUnwanted(ClusterState state) {
        return !unwanted(state).isEmpty();
    }

    /**
     * Leaves (deleting their storage, in the background) the partition groups {@code confirmed}
     * does not want this node in. The state must be the metadata leader's, not this node's
     * replica: a node replaying its log after a restart passes through old views that do not
     * name groups it serves now.
     */
    void leaveUnwanted(ClusterState confirmed) {
        if (confirmed.change() != null) {
            return; // a change may still read from any replica
        }
        for (RaftGroupId group : unwanted(confirmed)) {
            LOG.info("{} leaves group {}: it serves no partition of this node any more", self, group);
            raft.leave(group);
        }
    }

    private List<RaftGroupId> unwanted(ClusterState state) {
        Map<RaftGroupId, RaftGroup> wanted = wantedGroups(state);
        RaftGroupId metadata = RaftPeers.metadataGroup(state.clusterId());
        return raft.groupIds().stream().filter(g -> !wanted.containsKey(g) && !g.equals(metadata)).toList();
    }

    /** Every group, with the peers it should have, that this node should host. */
    Map<RaftGroupId, RaftGroup> wantedGroups(ClusterState state) {
        Map<RaftGroupId, RaftGroup> wanted = new LinkedHashMap<>();
        View view = state.view();
        View target = state.change() == null ? null : state.change().target();
        if (isMember(state)) {
            List<NodeAddress> members = target != null && target.contains(self) ? target.nodes() : view.nodes();
            RaftGroup metadata = peers.group(RaftPeers.metadataGroup(state.clusterId()), members);
            wanted.put(metadata.getGroupId(), metadata);
        }
        for (View v : target == null ? List.of(view) : List.of(view, target)) {
            for (Partition partition : v.partitions()) {
                if (partition.hasMember(self)) {
                    RaftGroup group = peers.group(RaftPeers.partitionGroup(state.clusterId(), partition.group()),
                            partition.members());
                    wanted.put(group.getGroupId(), group);
                }
            }
        }
        return wanted;
    }
}
