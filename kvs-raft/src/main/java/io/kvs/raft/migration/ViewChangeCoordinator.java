package io.kvs.raft.migration;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.key.KeySlots;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.core.view.ViewChange;
import io.kvs.core.view.ViewPlanner;
import io.kvs.raft.client.GroupAdmin;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.MetaCommand;
import io.kvs.raft.meta.ViewChangeProgress;
import io.kvs.raft.meta.ViewChangeProgress.Phase;
import io.kvs.raft.meta.ViewChangeProgress.Rebuild;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.WriteReply;
import io.kvs.raft.server.RaftPeers;
import org.apache.ratis.protocol.RaftGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Drives one view change from its plan to the moment every live node routes by the new view.
 *
 * <p>Each step is recorded in the metadata group before the next begins
 * (PREPARING → GROUPS_READY → DATA_MOVED → COMMITTED → finished), and each is idempotent, so a
 * coordinator that dies leaves a change that any node can resume ({@link #change} when asked,
 * {@link #resumeStalled} on its own). Until COMMITTED the old view serves every request; the
 * commit switches every node to the new one at once; only then do the sources drop what moved.
 */
public final class ViewChangeCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(ViewChangeCoordinator.class);
    private static final Duration JOIN_DEADLINE = Duration.ofSeconds(10);
    private static final Duration LEADER_DEADLINE = Duration.ofSeconds(20);
    private static final Duration MAJORITY_PROBE = Duration.ofSeconds(2);
    private static final Duration PROPAGATION_DEADLINE = Duration.ofSeconds(10);
    /** A change whose coordinator has recorded no step for this long may be taken over. */
    private static final Duration STALLED = Duration.ofSeconds(10);
    private static final long META_SECONDS = 10;

    private final StoreEngine engine;
    private final PeerNodes nodes;
    private final SlotCopier copier;
    private volatile boolean coordinating;
    /**
     * The cluster and metadata members of the change being driven, fixed when it starts: a
     * coordinator removing itself must finish the change after its own node has left.
     */
    private String clusterId;
    private List<NodeAddress> metadataMembers;

    /** The answer to update_view: the node's partition (-1 for a proxy) and how many partitions there are. */
    public record Result(int partitionId, int partitionCount) {
    }

    public ViewChangeCoordinator(StoreEngine engine, PeerNodes nodes) {
        this.engine = engine;
        this.nodes = nodes;
        this.copier = new SlotCopier(engine.partitions());
    }

    /**
     * Adds or removes {@code node} and returns once every live node has the new view. Adding a
     * node already in the view answers as the first add did; a change already running for the
     * same request is finished rather than started again; another running change is refused
     * with 409 unless its coordinator has stalled, in which case this node finishes it first.
     */
    public synchronized Result change(ViewChange.Type type, NodeAddress node) throws IOException {
        coordinating = true;
        try {
            return changeNow(type, node);
        } finally {
            coordinating = false;
        }
    }

    private Result changeNow(ViewChange.Type type, NodeAddress node) throws IOException {
        ClusterState state = startFromLocalState();
        ViewChangeProgress running = state.change();
        if (running != null) {
            boolean same = running.type() == type && running.node().equals(node);
            if (!same && !isStalled(running)) {
                throw new KvsException(ErrorCode.VIEW_CHANGE_IN_PROGRESS, "another view change is in progress ("
                        + running.type().name().toLowerCase() + " " + running.node() + "); retry when it is done");
            }
            ViewChangeProgress resumed = takeOver(running);
            if (resumed != null) {
                finish(resumed);
            }
            state = readState();
            if (same) {
                return result(state.view(), node);
            }
        }
        View view = state.view();
        if (type == ViewChange.Type.ADD && view.contains(node)) {
            return result(view, node);
        }
        requireRaftPort(node);
        ViewChange planned = type == ViewChange.Type.ADD ? ViewPlanner.add(view, node) : ViewPlanner.remove(view, node);
        ViewChangeProgress progress = new ViewChangeProgress(type, node, view, planned.after(), Phase.PREPARING,
                engine.self(), System.currentTimeMillis(), Map.of());
        ClusterState begun = propose(new MetaCommand.BeginChange(view.epoch(), progress));
        if (begun.change() == null || !begun.change().equals(progress)) {
            throw new KvsException(ErrorCode.VIEW_CHANGE_IN_PROGRESS, "another view change began first; retry");
        }
        LOG.info("view change {} {}: epoch {} -> {}, {} -> {} partitions", type, node, view.epoch(),
                planned.after().epoch(), view.partitionCount(), planned.after().partitionCount());
        finish(progress);
        return result(readState().view(), node);
    }

    /** Finishes a change whose coordinator has stopped recording progress. Called periodically. */
    public synchronized void resumeStalled() throws IOException {
        ClusterState state = startFromLocalState();
        if (state == null || state.change() == null || !isStalled(state.change())) {
            return;
        }
        coordinating = true;
        try {
            LOG.info("taking over the stalled view change to epoch {}", state.change().target().epoch());
            ViewChangeProgress resumed = takeOver(state.change());
            if (resumed != null) {
                finish(resumed);
            }
        } finally {
            coordinating = false;
        }
    }

    /** Whether this node is driving a view change right now. */
    public boolean isCoordinating() {
        return coordinating;
    }

    /**
     * A change is stalled when its coordinator is this node (which is not running it, or it
     * would not be asking), or has recorded nothing for a while and is down or no longer
     * driving it (its update_view failed).
     */
    private boolean isStalled(ViewChangeProgress change) {
        if (change.coordinator().equals(engine.self())) {
            return true;
        }
        if (System.currentTimeMillis() - change.updatedAt() < STALLED.toMillis()) {
            return false;
        }
        try {
            return !nodes.status(change.coordinator()).coordinating();
        } catch (IOException unreachable) {
            return true;
        }
    }

    private ViewChangeProgress takeOver(ViewChangeProgress change) throws IOException {
        ClusterState state = propose(new MetaCommand.TakeOver(change.target().epoch(), engine.self(),
                System.currentTimeMillis()));
        return ours(state, change.target().epoch());
    }

    /** A node whose Raft port would be out of range cannot be added; refused before anything is recorded. */
    private void requireRaftPort(NodeAddress node) {
        try {
            engine.peers().raftPort(node);
        } catch (IllegalArgumentException e) {
            throw new KvsException(ErrorCode.BAD_REQUEST, e.getMessage());
        }
    }

    /**
     * Runs the change from whatever step it reached to the end. A change that fails while its
     * groups are being prepared is abandoned: the groups whose members it changed get their old
     * members back, the metadata group records the abort, and the next change may begin. One that
     * fails later, with every group ready, is past the point where it could be undone: it stays
     * recorded, and the metadata leader (or the next update_view) finishes it.
     */
    private void finish(ViewChangeProgress change) throws IOException {
        followMembersOf(change);
        ViewChangeProgress p = change;
        if (p.phase() == Phase.PREPARING) {
            Map<Partition, Partition> reconfigured = new HashMap<>();
            try {
                p = prepareGroups(p, reconfigured);
            } catch (IOException | RuntimeException e) {
                if (e instanceof KvsException k && k.code() == ErrorCode.VIEW_CHANGE_IN_PROGRESS) {
                    throw k; // another coordinator has taken it over
                }
                abandon(change, reconfigured, e);
            }
        }
        drive(p);
    }

    /**
     * Undoes what preparing a change did to group memberships ({@code reconfigured}: a partition
     * before, to itself after), records the abort, and reports why.
     */
    private void abandon(ViewChangeProgress change, Map<Partition, Partition> reconfigured, Exception cause)
            throws IOException {
        View from = change.from();
        reconfigured.forEach(this::restoreMembers);
        if (change.type() == ViewChange.Type.ADD) {
            try {
                GroupAdmin.setMembers(metadataGroup(from, change.target()), peersOf(from.nodes()));
            } catch (IOException e) {
                LOG.info("the metadata group keeps {} as a member for now: {}", change.node(), e.getMessage());
            }
        }
        propose(new MetaCommand.AbortChange(change.target().epoch(), engine.self()));
        String why = cause instanceof KvsException k ? k.getMessage() : cause.toString();
        LOG.info("view change {} {} aborted: {}", change.type(), change.node(), why);
        if (cause instanceof KvsException k) {
            throw k;
        }
        throw new KvsException(ErrorCode.UNAVAILABLE, "the view change (" + change.type().name().toLowerCase() + " "
                + change.node() + ") failed and was abandoned: " + why);
    }

    /** Gives a group its members of the old view back (new ones first added, then the others dropped). */
    private void restoreMembers(Partition before, Partition after) {
        List<NodeAddress> union = new ArrayList<>(after.members());
        before.members().stream().filter(n -> !union.contains(n)).forEach(union::add);
        RaftGroup group = group(after);
        try {
            GroupAdmin.setMembers(group, peersOf(union));
            GroupAdmin.setMembers(engine.peers().group(group.getGroupId(), union), peersOf(before.members()));
            LOG.info("partition {} members back to {}", before.id(), before.members());
        } catch (IOException e) {
            LOG.info("partition {} keeps members {} for now: {}", before.id(), after.members(), e.getMessage());
        }
    }

    /** Runs a change whose groups are ready to its end. */
    private void drive(ViewChangeProgress change) throws IOException {
        ViewChangeProgress p = change;
        while (p != null) {
            View target = p.target();
            switch (p.phase()) {
                case PREPARING -> throw new IllegalStateException("the change's groups are not prepared");
                case GROUPS_READY -> p = moveData(p);
                case DATA_MOVED -> {
                    p = ours(propose(new MetaCommand.CommitChange(target.epoch(), engine.self(),
                            System.currentTimeMillis())), target.epoch());
                    LOG.info("view epoch {} committed", target.epoch());
                }
                case COMMITTED -> {
                    cleanUp(p);
                    propose(new MetaCommand.FinishChange(target.epoch()));
                    if (p.type() == ViewChange.Type.REMOVE) {
                        awaitLeft(p.node());
                    }
                    p = null;
                }
            }
        }
        awaitPropagation(readState().view());
    }

    /**
     * Makes every group of the target view exist with its target members: the added node joins
     * the metadata group; new partitions' groups form; partitions whose members changed are
     * reconfigured, or rebuilt from a survivor when their group has no majority left.
     */
    private ViewChangeProgress prepareGroups(ViewChangeProgress change, Map<Partition, Partition> reconfigured)
            throws IOException {
        View from = change.from();
        View target = change.target();
        Map<Integer, Rebuild> rebuilds = new HashMap<>(change.rebuilds());
        if (change.type() == ViewChange.Type.ADD) {
            join(change);
            GroupAdmin.setMembers(metadataGroup(from, target), peersOf(target.nodes()));
        }
        for (Partition partition : target.partitions()) {
            Optional<Partition> before = partition.id() < from.partitionCount()
                    ? Optional.of(from.partition(partition.id())) : Optional.empty();
            if (before.isPresent() && !before.get().members().equals(partition.members())
                    && !rebuilds.containsKey(partition.id())) {
                if (reconfigure(before.get(), partition)) {
                    reconfigured.put(before.get(), partition);
                } else {
                    NodeAddress survivor = survivor(before.get(), change.node());
                    target = target.withNewGroupFor(partition.id());
                    rebuilds.put(partition.id(), new Rebuild(before.get().group(), survivor));
                    LOG.info("partition {} has no majority: rebuilding it as group {} from {}'s replica",
                            partition.id(), target.partition(partition.id()).group(), survivor);
                    change = ours(propose(advance(change, Phase.PREPARING, target, rebuilds)), target.epoch());
                    if (change == null) {
                        return null;
                    }
                }
            }
        }
        for (Partition partition : target.partitions()) {
            awaitLeader(group(partition));
        }
        return ours(propose(advance(change, Phase.GROUPS_READY, target, rebuilds)), target.epoch());
    }

    private void join(ViewChangeProgress change) throws IOException {
        long deadline = System.nanoTime() + JOIN_DEADLINE.toNanos();
        IOException last;
        do {
            try {
                nodes.join(change.node(), clusterId, change.target().nodes());
                return;
            } catch (IOException e) {
                last = e;
                sleep(300);
            }
        } while (System.nanoTime() < deadline);
        throw new KvsException(ErrorCode.UNAVAILABLE, "cannot add " + change.node() + ": it did not answer within "
                + JOIN_DEADLINE.toSeconds() + " s (" + last.getMessage() + "); is its server up?");
    }

    /** Changes a group's members; false if the group cannot commit (no majority left). */
    private boolean reconfigure(Partition before, Partition after) {
        RaftGroup current = group(before);
        if (!canCommit(current)) {
            return false;
        }
        // Ratis refuses to replace a majority of a group at once (with K=2, one member): add
        // the new members first, then drop the old ones.
        List<NodeAddress> union = new ArrayList<>(before.members());
        after.members().stream().filter(n -> !union.contains(n)).forEach(union::add);
        try {
            GroupAdmin.setMembers(current, peersOf(union));
            RaftGroup widened = engine.peers().group(current.getGroupId(), union);
            handOverLeadership(widened, after.members());
            GroupAdmin.setMembers(widened, peersOf(after.members()));
            LOG.info("partition {} members {} -> {}", after.id(), before.members(), after.members());
            return true;
        } catch (IOException e) {
            LOG.info("partition {} could not be reconfigured: {}", after.id(), e.getMessage());
            return false;
        }
    }

    /** Hands a group's leadership to a member that stays, so dropping the old leader costs no election. */
    private void handOverLeadership(RaftGroup group, List<NodeAddress> staying) {
        NodeAddress successor = staying.get(0);
        try {
            GroupAdmin.transferLeadership(group, engine.peers().peer(successor));
        } catch (IOException e) {
            LOG.info("leadership of {} stays where it is ({}); the group elects after the change",
                    group.getGroupId(), e.getMessage());
        }
    }

    private boolean canCommit(RaftGroup group) {
        try {
            engine.partitions().read(group, new PartitionQuery.Get(0, "_majority_probe", Map.of()))
                    .get(MAJORITY_PROBE.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A live member of a partition, other than the node being removed, whose replica can seed a new group. */
    private NodeAddress survivor(Partition partition, NodeAddress leaving) throws IOException {
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

    /**
     * Copies every slot whose group changes from its old group to its new one; sources freeze
     * what they give. The hints replicas hold for those slots, and those a member leaving its
     * group holds, go with them ({@link HeldHints}).
     */
    private ViewChangeProgress moveData(ViewChangeProgress change) throws IOException {
        View from = change.from();
        View target = change.target();
        Map<Integer, Map<Integer, BitSet>> moves = moves(from, target);
        HeldHints held = new HeldHints(nodes, copier, from, target, this::group);
        Map<Integer, Long> readyIndex = new HashMap<>();
        long total = 0;
        for (Partition source : from.partitions()) {
            Map<Integer, BitSet> byDestination = moves.getOrDefault(source.group(), Map.of());
            BitSet moving = new BitSet();
            byDestination.values().forEach(moving::or);
            SlotCopier.Source pages = moving.isEmpty() ? null : sourceOf(source, moving, change);
            for (Map.Entry<Integer, BitSet> toDestination : byDestination.entrySet()) {
                Partition destination = target.partitionServedBy(toDestination.getKey()).orElseThrow();
                SlotCopier.Copied copied = copier.copy(pages, toDestination.getValue(), group(destination));
                LOG.info("moved {} keys in {} slots from group {} to group {}", copied.keys(),
                        toDestination.getValue().cardinality(), source.group(), destination.group());
                readyIndex.merge(destination.group(), copied.lastIndex(), Math::max);
                total += copied.keys();
            }
            held.move(source, moving).forEach((group, index) -> readyIndex.merge(group, index, Math::max));
        }
        LOG.info("view epoch {}: {} keys moved", target.epoch(), total);
        View ready = target.withReadyIndexes(readyIndex);
        return ours(propose(advance(change, Phase.DATA_MOVED, ready, change.rebuilds())), target.epoch());
    }

    /** source group serial -> destination group serial -> slots that move between them. */
    private static Map<Integer, Map<Integer, BitSet>> moves(View from, View target) {
        Map<Integer, Map<Integer, BitSet>> moves = new TreeMap<>();
        for (int slot = 0; slot < KeySlots.SLOT_COUNT; slot++) {
            int source = from.partition(from.slots().ownerOf(slot)).group();
            int destination = target.partition(target.slots().ownerOf(slot)).group();
            if (source != destination) {
                moves.computeIfAbsent(source, s -> new TreeMap<>()).computeIfAbsent(destination, d -> new BitSet())
                        .set(slot);
            }
        }
        return moves;
    }

    /**
     * Where a partition's data is read from: its group, once the moving slots are frozen there;
     * or, when the group has no majority (it is being rebuilt, or it is dissolved and lost a
     * member), one surviving replica.
     */
    private SlotCopier.Source sourceOf(Partition source, BitSet slots, ViewChangeProgress change) throws IOException {
        Optional<Rebuild> rebuild = change.rebuilds().values().stream()
                .filter(r -> r.fromGroup() == source.group()).findFirst();
        if (rebuild.isEmpty()) {
            RaftGroup group = group(source);
            try {
                WriteReply frozen = engine.partitions().write(group, new PartitionCommand.Freeze(slots))
                        .get(MAJORITY_PROBE.toMillis() * 2, TimeUnit.MILLISECONDS);
                LOG.info("group {} froze {} slots at index {}", source.group(), slots.cardinality(), frozen.index());
                return copier.fromGroup(group);
            } catch (ExecutionException | TimeoutException e) {
                LOG.info("group {} cannot freeze its slots ({}): reading a surviving replica", source.group(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        NodeAddress survivor = rebuild.map(Rebuild::survivor).orElse(survivor(source, change.node()));
        return query -> nodes.exportReplica(survivor, source.group(), query);
    }

    /**
     * After the commit: sources that still serve a partition drop the slots they gave away
     * (requests with an old view then get "wrong owner" and retry with the new one); a removed
     * node leaves the metadata group. Groups no node wants any more are left by the nodes
     * themselves once the change is finished.
     */
    private void cleanUp(ViewChangeProgress change) throws IOException {
        View from = change.from();
        View target = change.target();
        for (Map.Entry<Integer, Map<Integer, BitSet>> bySource : moves(from, target).entrySet()) {
            Optional<Partition> stillServing = target.partitionServedBy(bySource.getKey());
            if (stillServing.isEmpty()) {
                continue;
            }
            BitSet given = new BitSet();
            bySource.getValue().values().forEach(given::or);
            RaftGroup group = group(stillServing.get());
            BoundedRetry.await(() -> engine.partitions().write(group, new PartitionCommand.Disown(given))
                    .get(META_SECONDS, TimeUnit.SECONDS), "disown slots in group " + stillServing.get().group());
        }
        if (change.type() == ViewChange.Type.REMOVE) {
            RaftGroup metadata = metadataGroup(from, target);
            handOverLeadership(metadata, target.nodes());
            GroupAdmin.setMembers(metadata, peersOf(target.nodes()));
        }
    }

    /**
     * Asks the removed node to leave every group now that the change is finished, and waits until
     * it has. A node that is down learns it from the metadata group when it comes back.
     */
    private void awaitLeft(NodeAddress removed) {
        long deadline = System.nanoTime() + PROPAGATION_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                nodes.leave(removed);
                if (nodes.status(removed).viewEpoch() < 0) {
                    return;
                }
            } catch (IOException down) {
                return;
            }
            sleep(200);
        }
        LOG.info("{} has not left yet; it will learn its removal from the metadata group", removed);
    }

    /** Waits until every live node of the new view routes by it; nodes that do not answer are down. */
    private void awaitPropagation(View target) {
        long deadline = System.nanoTime() + PROPAGATION_DEADLINE.toNanos();
        List<NodeAddress> waiting = new ArrayList<>(target.nodes());
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            waiting.removeIf(node -> {
                try {
                    return nodes.status(node).viewEpoch() >= target.epoch();
                } catch (IOException down) {
                    return false;
                }
            });
            if (!waiting.isEmpty()) {
                sleep(100);
            }
        }
        if (!waiting.isEmpty()) {
            LOG.info("view epoch {} not confirmed by {} (down or cut off); they catch up through the metadata group",
                    target.epoch(), waiting);
        }
    }

    private void awaitLeader(RaftGroup group) {
        long deadline = System.nanoTime() + LEADER_DEADLINE.toNanos();
        while (!canCommit(group)) {
            if (System.nanoTime() > deadline) {
                throw new KvsException(ErrorCode.UNAVAILABLE, "group " + group.getGroupId()
                        + " elected no leader within " + LEADER_DEADLINE.toSeconds() + " s");
            }
            sleep(100);
        }
    }

    private MetaCommand.AdvanceChange advance(ViewChangeProgress change, Phase phase, View target,
                                              Map<Integer, Rebuild> rebuilds) {
        return new MetaCommand.AdvanceChange(change.target().epoch(), phase, target, rebuilds, engine.self(),
                System.currentTimeMillis());
    }

    /**
     * The change as it stands after a step: still ours to drive, or null when it is already
     * finished; a 409 if another coordinator has taken it over meanwhile.
     */
    private ViewChangeProgress ours(ClusterState state, long targetEpoch) {
        ViewChangeProgress change = state.change();
        if (change != null && change.target().epoch() == targetEpoch && change.coordinator().equals(engine.self())) {
            return change;
        }
        if (change == null && state.view().epoch() >= targetEpoch) {
            return null;
        }
        throw new KvsException(ErrorCode.VIEW_CHANGE_IN_PROGRESS, "the view change was taken over by another node");
    }

    /** Reads the cluster state fresh, learning the cluster and its metadata members from this node's state. */
    private ClusterState startFromLocalState() throws IOException {
        ClusterState local = engine.requireState();
        clusterId = local.clusterId();
        metadataMembers = local.view().nodes();
        ClusterState fresh = readState();
        metadataMembers = fresh.view().nodes();
        return fresh;
    }

    /** A change's metadata members are the nodes of either view, those of both first. */
    private void followMembersOf(ViewChangeProgress change) {
        List<NodeAddress> members = new ArrayList<>(change.from().nodes().stream().filter(change.target()::contains).toList());
        change.from().nodes().stream().filter(n -> !members.contains(n)).forEach(members::add);
        change.target().nodes().stream().filter(n -> !members.contains(n)).forEach(members::add);
        metadataMembers = members;
    }

    private ClusterState propose(MetaCommand command) throws IOException {
        RaftGroup metadata = engine.peers().group(RaftPeers.metadataGroup(clusterId), metadataMembers);
        return BoundedRetry.await(() -> engine.metadata().propose(metadata, command).get(META_SECONDS, TimeUnit.SECONDS),
                "metadata " + command.getClass().getSimpleName());
    }

    private ClusterState readState() throws IOException {
        RaftGroup metadata = engine.peers().group(RaftPeers.metadataGroup(clusterId), metadataMembers);
        return BoundedRetry.await(() -> engine.metadata().read(metadata).get(META_SECONDS, TimeUnit.SECONDS),
                "read cluster state");
    }

    private static Result result(View view, NodeAddress node) {
        return new Result(view.partitionIdOf(node), view.partitionCount());
    }

    private RaftGroup group(Partition partition) {
        return engine.peers().group(RaftPeers.partitionGroup(clusterId, partition.group()), partition.members());
    }

    /**
     * The metadata group as a client should reach it during the change: through the nodes in
     * both views (a node being added may not host it yet, a removed one no longer does, and a
     * client that asks a node without the group gives up instead of trying the next).
     */
    private RaftGroup metadataGroup(View from, View target) {
        List<NodeAddress> members = from.nodes().stream().filter(target::contains).toList();
        return engine.peers().group(RaftPeers.metadataGroup(clusterId), members);
    }

    private List<org.apache.ratis.protocol.RaftPeer> peersOf(List<NodeAddress> members) {
        return members.stream().map(engine.peers()::peer).toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
