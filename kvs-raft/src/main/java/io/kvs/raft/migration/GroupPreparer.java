package io.kvs.raft.migration;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.core.view.ViewChange;
import io.kvs.raft.client.GroupAdmin;
import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.meta.MetadataMembers;
import io.kvs.raft.meta.ViewChangeProgress;
import io.kvs.raft.meta.ViewChangeProgress.Phase;
import io.kvs.raft.meta.ViewChangeProgress.Rebuild;
import io.kvs.raft.partition.PartitionQuery;
import org.apache.ratis.protocol.RaftGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The membership side of a view change: makes every group of the target view exist with its
 * target members before any data moves (the added node joins the metadata group; new
 * partitions' groups form; groups whose members change are reconfigured, or rebuilt from a
 * survivor when they have no majority), undoes that for a change that is abandoned, and takes a
 * removed node out of the metadata group at the end.
 */
final class GroupPreparer {
    private static final Logger LOG = LoggerFactory.getLogger(GroupPreparer.class);
    private static final Duration JOIN_DEADLINE = Duration.ofSeconds(10);
    private static final Duration LEADER_DEADLINE = Duration.ofSeconds(20);
    private static final Duration MAJORITY_PROBE = Duration.ofSeconds(2);

    private final PeerNodes nodes;
    private final PartitionClient partitions;
    private final ChangeRecorder recorder;

    GroupPreparer(PeerNodes nodes, PartitionClient partitions, ChangeRecorder recorder) {
        this.nodes = nodes;
        this.partitions = partitions;
        this.recorder = recorder;
    }

    /**
     * Prepares the groups of {@code change} and records GROUPS_READY; the change as it then
     * stands (null if another coordinator finished it). A rebuild is recorded as soon as it is
     * planned, so a coordinator that takes over rebuilds the same way. The partitions it
     * reconfigured go into {@code reconfigured} (before, to after), for {@link #restore}.
     */
    ViewChangeProgress prepare(ChangeContext context, ViewChangeProgress change,
                               Map<Partition, Partition> reconfigured) throws IOException {
        View from = change.from();
        View target = change.target();
        Map<Integer, Rebuild> rebuilds = new HashMap<>(change.rebuilds());
        if (change.type() == ViewChange.Type.ADD) {
            join(context, change);
            GroupAdmin.setMembers(context.metadataThrough(MetadataMembers.staying(from, target)),
                    context.peersOf(target.nodes()));
        }
        for (Partition partition : target.partitions()) {
            Optional<Partition> before = partition.id() < from.partitionCount()
                    ? Optional.of(from.partition(partition.id())) : Optional.empty();
            if (before.isPresent() && !before.get().members().equals(partition.members())
                    && !rebuilds.containsKey(partition.id())) {
                if (reconfigure(context, before.get(), partition)) {
                    reconfigured.put(before.get(), partition);
                } else {
                    NodeAddress survivor = survivor(nodes, before.get(), change.node());
                    target = target.withNewGroupFor(partition.id());
                    rebuilds.put(partition.id(), new Rebuild(before.get().group(), survivor));
                    LOG.info("partition {} has no majority: rebuilding it as group {} from {}'s replica",
                            partition.id(), target.partition(partition.id()).group(), survivor);
                    change = recorder.advance(context, change, Phase.PREPARING, target, rebuilds);
                    if (change == null) {
                        return null;
                    }
                }
            }
        }
        for (Partition partition : target.partitions()) {
            awaitLeader(context.group(partition));
        }
        return recorder.advance(context, change, Phase.GROUPS_READY, target, rebuilds);
    }

    /**
     * Undoes what {@link #prepare} did to memberships, as far as it can: groups it reconfigured
     * get their old members back, and an added node leaves the metadata group.
     */
    void restore(ChangeContext context, ViewChangeProgress change, Map<Partition, Partition> reconfigured) {
        reconfigured.forEach((before, after) -> restoreMembers(context, before, after));
        if (change.type() == ViewChange.Type.ADD) {
            try {
                GroupAdmin.setMembers(context.metadataThrough(MetadataMembers.staying(change.from(), change.target())),
                        context.peersOf(change.from().nodes()));
            } catch (IOException e) {
                LOG.info("the metadata group keeps {} as a member for now: {}", change.node(), e.getMessage());
            }
        }
    }

    /** After a removal: the metadata group loses the removed node (its leadership handed on first). */
    void dropFromMetadata(ChangeContext context, ViewChangeProgress change) throws IOException {
        RaftGroup metadata = context.metadataThrough(MetadataMembers.staying(change.from(), change.target()));
        handOverLeadership(context, metadata, change.target().nodes());
        GroupAdmin.setMembers(metadata, context.peersOf(change.target().nodes()));
    }

    /** A live member of a partition, other than the node being removed, whose replica can seed a new group. */
    static NodeAddress survivor(PeerNodes nodes, Partition partition, NodeAddress leaving) {
        for (NodeAddress member : partition.members()) {
            if (member.equals(leaving)) {
                continue;
            }
            try {
                nodes.status(member);
                return member;
            } catch (IOException dead) {
                LOG.info("{} does not answer: not a survivor of partition {}", member, partition.id());
            }
        }
        throw new KvsException(ErrorCode.UNAVAILABLE, "partition " + partition.id()
                + " has no live replica left to rebuild it from");
    }

    private void join(ChangeContext context, ViewChangeProgress change) {
        long deadline = System.nanoTime() + JOIN_DEADLINE.toNanos();
        IOException last;
        do {
            try {
                nodes.join(change.node(), context.clusterId(), change.target().nodes());
                return;
            } catch (IOException e) {
                last = e;
                Pause.millis(300);
            }
        } while (System.nanoTime() < deadline);
        throw new KvsException(ErrorCode.UNAVAILABLE, "cannot add " + change.node() + ": it did not answer within "
                + JOIN_DEADLINE.toSeconds() + " s (" + last.getMessage() + "); is its server up?");
    }

    /** Changes a group's members; false if the group cannot commit (no majority left). */
    private boolean reconfigure(ChangeContext context, Partition before, Partition after) {
        RaftGroup current = context.group(before);
        if (!canCommit(current)) {
            return false;
        }
        // Ratis refuses to replace a majority of a group at once (with K=2, one member): add
        // the new members first, then drop the old ones.
        List<NodeAddress> union = new ArrayList<>(before.members());
        after.members().stream().filter(n -> !union.contains(n)).forEach(union::add);
        try {
            GroupAdmin.setMembers(current, context.peersOf(union));
            RaftGroup widened = context.group(current, union);
            handOverLeadership(context, widened, after.members());
            GroupAdmin.setMembers(widened, context.peersOf(after.members()));
            LOG.info("partition {} members {} -> {}", after.id(), before.members(), after.members());
            return true;
        } catch (IOException e) {
            LOG.info("partition {} could not be reconfigured: {}", after.id(), e.getMessage());
            return false;
        }
    }

    /** Gives a group its members of the old view back (new ones first added, then the others dropped). */
    private void restoreMembers(ChangeContext context, Partition before, Partition after) {
        List<NodeAddress> union = new ArrayList<>(after.members());
        before.members().stream().filter(n -> !union.contains(n)).forEach(union::add);
        RaftGroup group = context.group(after);
        try {
            GroupAdmin.setMembers(group, context.peersOf(union));
            GroupAdmin.setMembers(context.group(group, union), context.peersOf(before.members()));
            LOG.info("partition {} members back to {}", before.id(), before.members());
        } catch (IOException e) {
            LOG.info("partition {} keeps members {} for now: {}", before.id(), after.members(), e.getMessage());
        }
    }

    /** Hands a group's leadership to a member that stays, so dropping the old leader costs no election. */
    private static void handOverLeadership(ChangeContext context, RaftGroup group, List<NodeAddress> staying) {
        try {
            GroupAdmin.transferLeadership(group, context.peers().peer(staying.get(0)));
        } catch (IOException e) {
            LOG.info("leadership of {} stays where it is ({}); the group elects after the change",
                    group.getGroupId(), e.getMessage());
        }
    }

    /** Whether the group can commit: a linearizable read (a ReadIndex needs a majority) answers in time. */
    boolean canCommit(RaftGroup group) {
        try {
            partitions.read(group, new PartitionQuery.Get(0, "_majority_probe", Map.of()))
                    .get(MAJORITY_PROBE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void awaitLeader(RaftGroup group) {
        long deadline = System.nanoTime() + LEADER_DEADLINE.toNanos();
        while (!canCommit(group)) {
            if (System.nanoTime() > deadline) {
                throw new KvsException(ErrorCode.UNAVAILABLE, "group " + group.getGroupId()
                        + " elected no leader within " + LEADER_DEADLINE.toSeconds() + " s");
            }
            Pause.millis(100);
        }
    }
}
