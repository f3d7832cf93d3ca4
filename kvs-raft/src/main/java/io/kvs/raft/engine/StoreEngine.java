package io.kvs.raft.engine;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.client.GroupClients;
import io.kvs.raft.client.MetadataClient;
import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.hint.HintPage;
import io.kvs.raft.hint.HintStore;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.MetaCommand;
import io.kvs.raft.meta.MetadataMembers;
import io.kvs.raft.meta.MetadataStateMachine;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.server.ClusterIdFile;
import io.kvs.raft.server.FirstEntryConflictRepair;
import io.kvs.raft.server.NodeRaftServer;
import io.kvs.raft.server.RaftPeers;
import io.kvs.raft.statemachine.SnapshottingStateMachine;
import io.kvs.raft.storage.DiskSpace;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A node's storage side: its Raft server with every group it hosts, the cluster state it learns
 * from its replica of the metadata group, and clients to reach any group. One per node.
 *
 * <p>Whenever the cluster state changes, the engine joins and leaves groups to match it
 * ({@link GroupReconciler}); a node the state no longer names leaves the cluster altogether and
 * waits, like a fresh node, to be added again.
 */
public final class StoreEngine implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreEngine.class);
    private static final long RETRY_MILLIS = 300;
    /** How often a node checks with the metadata group that it is still in the view. */
    private static final long MEMBERSHIP_CHECK_MILLIS = 5_000;
    private static final long HINT_REPLAY_MILLIS = 250;
    /** How often the node looks for a replica Ratis left stuck behind its group ({@link FirstEntryConflictRepair}). */
    private static final long STUCK_REPLICA_CHECK_MILLIS = 2_000;

    private final NodeAddress self;
    private final RaftPeers peers;
    private final ClusterIdFile clusterIdFile;
    private final NodeRaftServer raft;
    private final GroupReconciler reconciler;
    private final HintStore hints;
    private final DegradedReplicas degradedReplicas;
    private final GroupClients clients = new GroupClients();
    private final PartitionClient partitionClient;
    private final MetadataClient metadataClient = new MetadataClient();
    /** One thread: group changes and cluster joins and leaves happen one at a time, in order. */
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "store-engine");
        t.setDaemon(true);
        return t;
    });
    /** Its own thread: a replay waits on a group that may have no majority for a while. */
    private final ScheduledExecutorService hintReplay = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hint-replay");
        t.setDaemon(true);
        return t;
    });
    private final EpochWaits epochWaits = new EpochWaits();
    private final DiskSpace disk;
    private final Set<RaftGroupId> failedLogs = ConcurrentHashMap.newKeySet();
    private volatile String clusterId;
    private volatile ClusterState state;
    /**
     * Whether some state this node applied named it. A node being added replays the metadata log
     * from states that predate it; only a node that was a member and is no longer one leaves.
     */
    private volatile boolean wasMember;

    /**
     * Starts the node's Raft server, recovering every group in its data directory. A node whose
     * data directory belongs to no cluster yet joins the one its initial view describes, if given;
     * otherwise it waits to be added.
     */
    public StoreEngine(StoreSettings settings) throws IOException {
        this.self = settings.self();
        this.peers = settings.peers();
        Path dataDir = settings.dataDir();
        this.disk = new DiskSpace(dataDir, settings.diskReserveBytes());
        this.clusterIdFile = new ClusterIdFile(dataDir);
        this.clusterId = clusterIdFile.read().orElse(null);
        this.raft = new NodeRaftServer(self, settings.bindHost(), dataDir, peers, this::newStateMachine,
                settings.secret());
        this.partitionClient = new PartitionClient(clients, raft::submitIfLeader);
        this.reconciler = new GroupReconciler(self, peers, raft);
        this.hints = new HintStore(dataDir, self.toString(),
                group -> localReplica(group).map(r -> r.appliedHint(self.toString())).orElse(0L));
        this.degradedReplicas = new DegradedReplicas(self.toString(), hints, this::localReplica, this::currentView,
                disk::hasRoom);
        raft.start();
        if (clusterId == null && settings.initialView().isPresent()) {
            bootstrap(View.initial(settings.initialView().get(), settings.k().orElseThrow()));
        } else if (clusterId != null) {
            LOG.info("{} recovered cluster {} with groups {}", self, clusterId, raft.groupIds());
        } else {
            LOG.info("{} started without VIEW: waiting to be added to a cluster", self);
        }
        background.scheduleWithFixedDelay(this::checkMembership, MEMBERSHIP_CHECK_MILLIS, MEMBERSHIP_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        FirstEntryConflictRepair repair = new FirstEntryConflictRepair(raft, () -> System.nanoTime() / 1_000_000);
        background.scheduleWithFixedDelay(repair::check, STUCK_REPLICA_CHECK_MILLIS, STUCK_REPLICA_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(this::restartFailedLogs, STUCK_REPLICA_CHECK_MILLIS,
                STUCK_REPLICA_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        HintReplayer replayer = new HintReplayer(self.toString(), hints, () -> state, this::localReplica, this);
        hintReplay.scheduleWithFixedDelay(() -> {
            if (!settings.holdHintReplay().getAsBoolean()) {
                replayer.run();
            }
        }, HINT_REPLAY_MILLIS, HINT_REPLAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    private StateMachine newStateMachine(RaftGroupId id) {
        SnapshottingStateMachine machine = clusterId != null && id.equals(RaftPeers.metadataGroup(clusterId))
                ? new MetadataStateMachine(this::onClusterState)
                : new PartitionStateMachine(self.toString(), System::currentTimeMillis, disk::hasRoom);
        machine.onLogFailed(failedLogs::add);
        return machine;
    }

    /**
     * Replicas whose Raft log failed (a full disk) take no entries until restarted: once the disk
     * has room again, each is started again from its storage, which holds every entry it had
     * written and acknowledged.
     */
    private void restartFailedLogs() {
        if (failedLogs.isEmpty() || !disk.hasRoom()) {
            return;
        }
        for (RaftGroupId id : List.copyOf(failedLogs)) {
            try {
                raft.restartFromStorage(id);
                failedLogs.remove(id);
            } catch (IOException | RuntimeException e) {
                LOG.warn("group {}: could not restart the replica whose log failed: {}; retrying", id, e.toString());
            }
        }
    }

    /** Whether this node's disk has room for more data; without it, writes are refused (507). */
    public boolean diskHasRoom() {
        return disk.hasRoom();
    }

    /** Joins the groups of a cluster started from VIEW, then proposes its initial state until one is applied. */
    private void bootstrap(View initial) throws IOException {
        String id = RaftPeers.clusterId(initial.nodes(), initial.k());
        clusterId = id;
        raft.addGroup(peers.group(RaftPeers.metadataGroup(id), initial.nodes()));
        Optional<Partition> own = initial.partitionOf(self);
        if (own.isPresent()) {
            raft.addGroup(partitionGroup(id, own.get()));
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
        RaftGroup metadata = peers.group(RaftPeers.metadataGroup(initial.clusterId()), initial.view().nodes());
        metadataClient.propose(metadata, new MetaCommand.Init(initial))
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
    public synchronized void join(String id, List<NodeAddress> metadataMembers) throws IOException {
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

    /** Leaves every group and forgets the cluster: the node is as new, and can be added again. */
    private synchronized void leave() {
        LOG.info("{} is no longer in the view of cluster {}: leaving every group", self, clusterId);
        try {
            for (RaftGroupId group : raft.groupIds()) {
                raft.removeGroup(group);
            }
            clusterIdFile.delete();
        } catch (IOException e) {
            LOG.warn("leaving the cluster: {}", e.toString());
        }
        clusterId = null;
        state = null;
        wasMember = false;
    }

    /** Called on the metadata group's apply thread: record the state, reconcile groups off that thread. */
    private void onClusterState(ClusterState next) {
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
        metadataClient.propose(metadataGroup(), new MetaCommand.SetPayloadKey(key)).orTimeout(3, TimeUnit.SECONDS)
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
     */
    private void checkMembership() {
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
    public void leaveIfRemoved() throws ExecutionException, InterruptedException,
            TimeoutException {
        if (state != null && isRemovedIn(readState().get(2, TimeUnit.SECONDS))) {
            background.submit(this::leave).get(10, TimeUnit.SECONDS);
        }
    }

    public NodeAddress self() {
        return self;
    }

    public RaftPeers peers() {
        return peers;
    }

    public Optional<ClusterState> state() {
        return Optional.ofNullable(state);
    }

    /**
     * The cluster state, or NOT_IN_CLUSTER when this node is not (yet, or any more) part of one:
     * a removed node stops serving as soon as it applies the view without it.
     */
    public ClusterState requireState() {
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

    /** The partition of the current view, as this node reaches it. */
    public PartitionEngine partition(Partition partition) {
        return new PartitionEngine(partition, partitionGroup(requireState().clusterId(), partition), partitionClient);
    }

    private RaftGroup partitionGroup(String id, Partition partition) {
        return peers.group(RaftPeers.partitionGroup(id, partition.group()), partition.members());
    }

    /** The metadata group as the current state describes it ({@link MetadataMembers}). */
    public RaftGroup metadataGroup() {
        ClusterState current = requireState();
        return peers.group(RaftPeers.metadataGroup(current.clusterId()), MetadataMembers.of(current));
    }

    /**
     * The cluster state once this node's replica of the metadata group has reached view
     * {@code epoch} (a client has seen it elsewhere), waiting up to {@code waitMillis}; then
     * UNAVAILABLE: routing by an older view would read a moved key from its old group.
     */
    public CompletableFuture<ClusterState> stateAtLeast(long epoch, long waitMillis) {
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

    /** Whether a view change is under way, as far as this node's replica of the metadata group knows. */
    public boolean isViewChanging() {
        ClusterState current = state;
        return current != null && current.change() != null;
    }

    /** Whether this node currently leads the metadata group. */
    public boolean isMetadataLeader() {
        String id = clusterId;
        return id != null && raft.division(RaftPeers.metadataGroup(id))
                .map(d -> d.getInfo().isLeader()).orElse(false);
    }

    public PartitionClient partitions() {
        return partitionClient;
    }

    public MetadataClient metadata() {
        return metadataClient;
    }

    /** The view this node routes by, null while it knows none. */
    private View currentView() {
        ClusterState current = state;
        return current == null ? null : current.view();
    }

    /** This node's replicas in degraded mode, each alone: reads and hinted writes when a group has no majority. */
    public DegradedReplicas degradedReplicas() {
        return degradedReplicas;
    }

    /** This node's own replica of a group's state machine, if it hosts the group. */
    public Optional<PartitionStateMachine> localReplica(int groupSerial) {
        String id = clusterId;
        return id == null ? Optional.empty()
                : raft.stateMachine(RaftPeers.partitionGroup(id, groupSerial), PartitionStateMachine.class);
    }

    /**
     * A page of this node's own replica of group {@code groupSerial}, unapplied log entries
     * included: the source of a group rebuilt from a survivor.
     */
    public ExportPage exportReplica(int groupSerial, PartitionQuery.Export query) throws IOException {
        String id = clusterId;
        RaftServer.Division division = id == null ? null
                : raft.division(RaftPeers.partitionGroup(id, groupSerial)).orElse(null);
        if (division == null) {
            throw new KvsException(ErrorCode.UNAVAILABLE, self + " holds no replica of group " + groupSerial);
        }
        return ReplicaExport.page(division, query);
    }

    /**
     * Seals {@code slots} of group {@code groupSerial} on this node for the view change to epoch
     * {@code untilEpoch}, and returns a page of the hints it holds for them (see
     * {@link HintStore#seal}).
     */
    public HintPage sealHints(int groupSerial, BitSet slots, long untilEpoch, long afterId, int maxBytes) {
        return hints.seal(groupSerial, slots, untilEpoch, afterId, maxBytes);
    }

    /** Reads the cluster state from the metadata group's leader, for a node that suspects its copy is stale. */
    public CompletableFuture<ClusterState> readState() {
        return metadataClient.read(metadataGroup());
    }

    @Override
    public void close() throws IOException {
        background.shutdownNow();
        hintReplay.shutdownNow();
        clients.close();
        raft.close();
        hints.close();
    }
}
