package io.kvs.raft.engine;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.client.GroupClients;
import io.kvs.raft.client.MetadataClient;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.MetaCommand;
import io.kvs.raft.meta.MetadataMembers;
import io.kvs.raft.server.ClusterIdFile;
import io.kvs.raft.server.NodeRaftServer;
import io.kvs.raft.server.RaftPeers;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A node's place in its cluster: which cluster it belongs to, the cluster state it learns from
 * its replica of the metadata group, and the groups it hosts to match that state.
 *
 * <p>Whenever the state changes, the node joins and leaves groups to match it
 * ({@link GroupReconciler}); a node the state no longer names leaves the cluster altogether and
 * waits, like a fresh node, to be added again. Every join and leave is decided on one thread, in
 * order; a left group's replica closes in the background, and joining that group again waits for it.
 */
final class ClusterMembership {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterMembership.class);
    private static final long RETRY_MILLIS = 300;
    /** Leaving every group runs the groups' closes side by side; each takes Ratis up to 3 s. */
    private static final long LEAVE_DEADLINE_SECONDS = 8;

    private final NodeAddress self;
    private final RaftPeers peers;
    private final NodeRaftServer raft;
    private final ClusterIdFile clusterIdFile;
    private final GroupReconciler reconciler;
    private final MetadataClient metadata;
    private final GroupClients clients;
    private final ScheduledExecutorService background;
    private final EpochWaits epochWaits = new EpochWaits();
    private volatile String clusterId;
    private volatile ClusterState state;
    /**
     * Whether some state this node applied named it. A node being added replays the metadata log
     * from states that predate it; only a node that was a member and is no longer one leaves.
     */
    private volatile boolean wasMember;

    ClusterMembership(NodeAddress self, RaftPeers peers, NodeRaftServer raft, ClusterIdFile clusterIdFile,
                      MetadataClient metadata, GroupClients clients, ScheduledExecutorService background)
            throws IOException {
        this.self = self;
        this.peers = peers;
        this.raft = raft;
        this.clusterIdFile = clusterIdFile;
        this.reconciler = new GroupReconciler(self, peers, raft);
        this.metadata = metadata;
        this.clients = clients;
        this.background = background;
        this.clusterId = clusterIdFile.read().orElse(null);
    }

    /** The cluster this node belongs to, null if none (yet). */
    String clusterId() {
        return clusterId;
    }

    /** The latest state this node applied, null while it knows none. */
    ClusterState latest() {
        return state;
    }

    /** Joins the groups of a cluster started from VIEW, then proposes its initial state until one is applied. */
    void bootstrap(View initial) throws IOException {
        String id = RaftPeers.clusterId(initial.nodes(), initial.k());
        clusterId = id;
        raft.addGroup(peers.group(RaftPeers.metadataGroup(id), initial.nodes()));
        Optional<Partition> own = initial.partitionOf(self);
        if (own.isPresent()) {
            raft.addGroup(peers.group(RaftPeers.partitionGroup(id, own.get().group()), own.get().members()));
        }
        clusterIdFile.write(id);
        String tag = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        proposeInit(ClusterState.initial(id, tag, initial));
        LOG.info("{} joined cluster {} from VIEW ({} nodes, K={})", self, id, initial.nodes().size(), initial.k());
    }

    private void proposeInit(ClusterState initial) {
        if (state != null || background.isShutdown()) {
            return;
        }
        RaftGroup group = peers.group(RaftPeers.metadataGroup(initial.clusterId()), initial.view().nodes());
        metadata.propose(group, new MetaCommand.Init(initial))
                .orTimeout(3, TimeUnit.SECONDS)
                .whenComplete((applied, failure) -> {
                    if (failure != null && state == null && !background.isShutdown()) {
                        LOG.info("cluster state not yet committed ({}); retrying", failure.toString());
                        background.schedule(() -> proposeInit(initial), RETRY_MILLIS, TimeUnit.MILLISECONDS);
                    }
                });
    }

    /**
     * Joins cluster {@code id} as a node being added: hosts the metadata group (with the peers of
     * the view being changed to), from which it learns everything else. Repeating it is harmless.
     */
    synchronized void join(String id, List<NodeAddress> metadataMembers) throws IOException {
        if (clusterId != null && !clusterId.equals(id) && state != null && state.view().contains(self)) {
            throw new KvsException(ErrorCode.BAD_REQUEST, self + " already belongs to another cluster");
        }
        clusterId = id;
        // A node added (again) counts as a member only once a state names it: the states it
        // replays first, from before it was added, must not make it leave.
        wasMember = false;
        clusterIdFile.write(id);
        raft.joinGroup(peers.group(RaftPeers.metadataGroup(id), metadataMembers));
        LOG.info("{} joins cluster {}", self, id);
    }

    /**
     * Leaves every group and forgets the cluster: the node is as new, and can be added again. The
     * cluster is forgotten only once every group is left: a node that restarted in between would
     * otherwise recover groups of a cluster it no longer knows.
     */
    private synchronized void leave() {
        LOG.info("{} is no longer in the view of cluster {}: leaving every group", self, clusterId);
        try {
            CompletableFuture.allOf(raft.groupIds().stream().map(raft::leave).toArray(CompletableFuture[]::new))
                    .get(LEAVE_DEADLINE_SECONDS, TimeUnit.SECONDS);
            clusterIdFile.delete();
        } catch (IOException | ExecutionException | TimeoutException e) {
            LOG.warn("leaving the cluster: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clusterId = null;
        state = null;
        wasMember = false;
    }

    /** Called on the metadata group's apply thread: record the state, reconcile groups off that thread. */
    void applied(ClusterState next) {
        state = next;
        epochWaits.reached(next.view().epoch());
        background.execute(this::reconcile);
        if (next.payloadKey() == null) {
            background.execute(this::givePayloadKey);
        }
    }

    /** A cluster that started before payloads were signed gets a key from its metadata leader. */
    private void givePayloadKey() {
        ClusterState current = state;
        if (current == null || current.payloadKey() != null || background.isShutdown()) {
            return;
        }
        if (!isMetadataLeader()) {
            background.schedule(this::givePayloadKey, RETRY_MILLIS * 10, TimeUnit.MILLISECONDS);
            return;
        }
        String key = ClusterState.initial(current.clusterId(), current.tag(), current.view()).payloadKey();
        metadata.propose(metadataGroup(), new MetaCommand.SetPayloadKey(key)).orTimeout(3, TimeUnit.SECONDS)
                .whenComplete((applied, failure) -> {
                    if (failure != null) {
                        LOG.info("payload key not set yet ({}); retrying", failure.toString());
                        background.schedule(this::givePayloadKey, RETRY_MILLIS * 10, TimeUnit.MILLISECONDS);
                    }
                });
    }

    private void reconcile() {
        ClusterState current = state;
        if (current == null) {
            return;
        }
        clients.retain(partitionGroupsOf(current));
        try {
            boolean member = reconciler.isMember(current);
            wasMember |= member;
            reconciler.joinWanted(current);
            // Leaving a group, or the cluster, is decided on the metadata leader's state: this
            // node's replica may be replaying old views. A removed node stops serving at the
            // commit (requireState) but leaves only once the change is finished, so that it
            // does not take a group's leader away in the middle of the change.
            if (wasMember && current.change() == null && (!member || reconciler.hostsUnwanted(current))) {
                ClusterState confirmed = readState().get(2, TimeUnit.SECONDS);
                if (isRemovedIn(confirmed)) {
                    leave();
                } else if (confirmed != null && reconciler.isMember(confirmed)) {
                    reconciler.leaveUnwanted(confirmed);
                }
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("could not confirm the view with the metadata group ({}); retrying", e.toString());
            background.schedule(this::reconcile, RETRY_MILLIS * 10, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not match groups to view epoch {}: {}; retrying", current.view().epoch(), e.toString());
            background.schedule(this::reconcile, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** The partition groups of the view, and of the target of the change under way. */
    private static Set<RaftGroupId> partitionGroupsOf(ClusterState state) {
        Set<RaftGroupId> groups = new HashSet<>();
        List<View> views = state.change() == null ? List.of(state.view()) : List.of(state.view(), state.change().target());
        for (View view : views) {
            view.partitions().forEach(p -> groups.add(RaftPeers.partitionGroup(state.clusterId(), p.group())));
        }
        return groups;
    }

    /**
     * A node removed while it was down, or taken out of the metadata group before it applied the
     * end of the change, learns it from the metadata group, not from its own stale replica.
     * Called periodically.
     */
    void checkMembership() {
        if (state == null) {
            return;
        }
        readState().orTimeout(2, TimeUnit.SECONDS).thenAccept(fresh -> {
            if (isRemovedIn(fresh)) {
                background.execute(this::leave);
            }
        });
    }

    private boolean isRemovedIn(ClusterState fresh) {
        return fresh != null && wasMember && !reconciler.isMember(fresh) && fresh.change() == null;
    }

    /** Leaves the cluster now if the metadata group says this node has been removed (the coordinator asks). */
    void leaveIfRemoved() throws ExecutionException, InterruptedException, TimeoutException {
        if (state != null && isRemovedIn(readState().get(2, TimeUnit.SECONDS))) {
            background.submit(this::leave).get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * The cluster state, or NOT_IN_CLUSTER when this node is not (yet, or any more) part of one:
     * a removed node stops serving as soon as it applies the view without it.
     */
    ClusterState requireState() {
        ClusterState current = state;
        if (current == null) {
            throw new KvsException(ErrorCode.NOT_IN_CLUSTER, clusterId == null
                    ? "this node is not part of a cluster yet: add it with update_view"
                    : "this node is starting and has not learned the cluster's view yet");
        }
        if (wasMember && !reconciler.isMember(current)) {
            throw new KvsException(ErrorCode.NOT_IN_CLUSTER, "this node was removed from the cluster");
        }
        return current;
    }

    /**
     * The cluster state once this node's replica of the metadata group has reached view
     * {@code epoch} (a client has seen it elsewhere), waiting up to {@code waitMillis}; then
     * UNAVAILABLE: routing by an older view would read a moved key from its old group.
     */
    CompletableFuture<ClusterState> stateAtLeast(long epoch, long waitMillis) {
        ClusterState current = requireState();
        if (current.view().epoch() >= epoch) {
            return CompletableFuture.completedFuture(current);
        }
        return epochWaits.await(epoch).orTimeout(waitMillis, TimeUnit.MILLISECONDS).handle((reached, failure) -> {
            if (failure != null) {
                throw new KvsException(ErrorCode.UNAVAILABLE, "key value store is not available: this node has "
                        + "not yet learned the view the causal payload names");
            }
            return requireState();
        });
    }

    /** Whether this node currently leads the metadata group. */
    boolean isMetadataLeader() {
        String id = clusterId;
        return id != null && raft.division(RaftPeers.metadataGroup(id)).map(d -> d.getInfo().isLeader()).orElse(false);
    }

    /** The metadata group as the current state describes it ({@link MetadataMembers}). */
    RaftGroup metadataGroup() {
        ClusterState current = requireState();
        return peers.group(RaftPeers.metadataGroup(current.clusterId()), MetadataMembers.of(current));
    }

    /** Reads the cluster state from the metadata group's leader, for a node that suspects its copy is stale. */
    CompletableFuture<ClusterState> readState() {
        return metadata.read(metadataGroup());
    }
}
