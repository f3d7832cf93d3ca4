package io.kvs.raft.migration;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.core.view.ViewChange;
import io.kvs.core.view.ViewPlanner;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.MetaCommand;
import io.kvs.raft.meta.ViewChangeProgress;
import io.kvs.raft.meta.ViewChangeProgress.Phase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Drives one view change from its plan to the moment every live node routes by the new view;
 * the work of each step is done by a {@link GroupPreparer} (memberships) and a
 * {@link SlotMover} (data).
 *
 * <p>Each step is recorded in the metadata group before the next begins
 * (PREPARING → GROUPS_READY → DATA_MOVED → COMMITTED → finished), and each is idempotent, so a
 * coordinator that dies leaves a change that any node can resume ({@link #change} when asked,
 * {@link #resumeStalled} on its own). Until COMMITTED the old view serves every request; the
 * commit switches every node to the new one at once; only then do the sources drop what moved.
 */
public final class ViewChangeCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(ViewChangeCoordinator.class);
    private static final Duration PROPAGATION_DEADLINE = Duration.ofSeconds(10);
    /** A change whose coordinator has recorded no step for this long may be taken over. */
    private static final Duration STALLED = Duration.ofSeconds(10);

    private final StoreEngine engine;
    private final PeerNodes nodes;
    private final ChangeRecorder recorder;
    private final GroupPreparer groups;
    private final SlotMover slots;
    private final MoveProgress progress = new MoveProgress();
    private volatile boolean coordinating;

    /** The answer to update_view: the node's partition (-1 for a proxy) and how many partitions there are. */
    public record Result(int partitionId, int partitionCount) {
    }

    public ViewChangeCoordinator(StoreEngine engine, PeerNodes nodes) {
        this.engine = engine;
        this.nodes = nodes;
        this.recorder = new ChangeRecorder(engine.metadata());
        this.groups = new GroupPreparer(nodes, engine.partitions(), recorder);
        this.slots = new SlotMover(nodes, engine.partitions(), progress);
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
        ChangeContext context = contextOfThisNode();
        ClusterState state = recorder.read(context);
        context = context.reaching(state.view());
        ViewChangeProgress running = state.change();
        if (running != null) {
            boolean same = running.type() == type && running.node().equals(node);
            if (!same && !isStalled(running)) {
                throw new KvsException(ErrorCode.VIEW_CHANGE_IN_PROGRESS, "another view change is in progress ("
                        + running.type().name().toLowerCase() + " " + running.node() + "); retry when it is done");
            }
            finishTakenOver(context, running);
            state = recorder.read(context.following(running));
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
        ClusterState begun = recorder.propose(context, new MetaCommand.BeginChange(view.epoch(), progress));
        if (begun.change() == null || !begun.change().equals(progress)) {
            throw new KvsException(ErrorCode.VIEW_CHANGE_IN_PROGRESS, "another view change began first; retry");
        }
        LOG.info("view change {} {}: epoch {} -> {}, {} -> {} partitions", type, node, view.epoch(),
                planned.after().epoch(), view.partitionCount(), planned.after().partitionCount());
        ChangeContext following = context.following(progress);
        finish(following, progress);
        return result(recorder.read(following).view(), node);
    }

    /** Finishes a change whose coordinator has stopped recording progress. Called periodically. */
    public synchronized void resumeStalled() throws IOException {
        ChangeContext context = contextOfThisNode();
        ClusterState state = recorder.read(context);
        if (state.change() == null || !isStalled(state.change())) {
            return;
        }
        coordinating = true;
        try {
            LOG.info("taking over the stalled view change to epoch {}", state.change().target().epoch());
            finishTakenOver(context.reaching(state.view()), state.change());
        } finally {
            coordinating = false;
        }
    }

    /** How far the data of the changes this node drives has moved. */
    public MoveProgress progress() {
        return progress;
    }

    /** Whether this node is driving a view change right now. */
    public boolean isCoordinating() {
        return coordinating;
    }

    /** The context of a change this node starts or takes over, from what this node knows of the cluster. */
    private ChangeContext contextOfThisNode() {
        ClusterState local = engine.requireState();
        return new ChangeContext(local.clusterId(), engine.peers(), engine.self(), local.view().nodes());
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

    /** Makes this node the change's coordinator, then runs it to its end. */
    private void finishTakenOver(ChangeContext context, ViewChangeProgress change) throws IOException {
        ChangeContext following = context.following(change);
        ClusterState state = recorder.propose(following, new MetaCommand.TakeOver(change.target().epoch(),
                engine.self(), System.currentTimeMillis()));
        ViewChangeProgress resumed = ChangeRecorder.ours(following, state, change.target().epoch());
        if (resumed != null) {
            finish(following, resumed);
        }
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
    private void finish(ChangeContext context, ViewChangeProgress change) throws IOException {
        ViewChangeProgress p = change;
        if (p.phase() == Phase.PREPARING) {
            Map<Partition, Partition> reconfigured = new HashMap<>();
            try {
                p = groups.prepare(context, p, reconfigured);
            } catch (IOException | RuntimeException e) {
                if (e instanceof KvsException k && k.code() == ErrorCode.VIEW_CHANGE_IN_PROGRESS) {
                    throw k; // another coordinator has taken it over
                }
                abandon(context, change, reconfigured, e);
            }
        }
        drive(context, p);
    }

    /** Undoes what preparing the change did, records the abort, and reports why. */
    private void abandon(ChangeContext context, ViewChangeProgress change, Map<Partition, Partition> reconfigured,
                         Exception cause) throws IOException {
        groups.restore(context, change, reconfigured);
        recorder.propose(context, new MetaCommand.AbortChange(change.target().epoch(), engine.self()));
        String why = cause instanceof KvsException k ? k.getMessage() : cause.toString();
        LOG.info("view change {} {} aborted: {}", change.type(), change.node(), why);
        if (cause instanceof KvsException k) {
            throw k;
        }
        throw new KvsException(ErrorCode.UNAVAILABLE, "the view change (" + change.type().name().toLowerCase() + " "
                + change.node() + ") failed and was abandoned: " + why);
    }

    /** Runs a change whose groups are ready to its end. */
    private void drive(ChangeContext context, ViewChangeProgress change) throws IOException {
        ViewChangeProgress p = change;
        while (p != null) {
            long epoch = p.target().epoch();
            switch (p.phase()) {
                case PREPARING -> throw new IllegalStateException("the change's groups are not prepared");
                case GROUPS_READY -> p = recorder.advance(context, p, Phase.DATA_MOVED, slots.move(context, p),
                        p.rebuilds());
                case DATA_MOVED -> {
                    p = ChangeRecorder.ours(context, recorder.propose(context, new MetaCommand.CommitChange(epoch,
                            engine.self(), System.currentTimeMillis())), epoch);
                    LOG.info("view epoch {} committed", epoch);
                }
                case COMMITTED -> {
                    slots.dropMoved(context, p);
                    if (p.type() == ViewChange.Type.REMOVE) {
                        groups.dropFromMetadata(context, p);
                    }
                    recorder.propose(context, new MetaCommand.FinishChange(epoch));
                    if (p.type() == ViewChange.Type.REMOVE) {
                        awaitLeft(p.node());
                    }
                    p = null;
                }
            }
        }
        awaitPropagation(recorder.read(context).view());
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
            Pause.millis(200);
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
                Pause.millis(100);
            }
        }
        if (!waiting.isEmpty()) {
            LOG.info("view epoch {} not confirmed by {} (down or cut off); they catch up through the metadata group",
                    target.epoch(), waiting);
        }
    }

    private static Result result(View view, NodeAddress node) {
        return new Result(view.partitionIdOf(node), view.partitionCount());
    }
}
