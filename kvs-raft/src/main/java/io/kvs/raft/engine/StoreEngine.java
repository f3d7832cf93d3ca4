package io.kvs.raft.engine;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.client.GroupClients;
import io.kvs.raft.client.LeaderRelay;
import io.kvs.raft.client.MetadataClient;
import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.client.RequestThreads;
import io.kvs.raft.concurrent.DaemonThreadFactory;
import io.kvs.raft.hint.HintStore;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.MetadataStateMachine;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.partition.WriteReply;
import io.kvs.raft.server.ClusterIdFile;
import io.kvs.raft.server.FirstEntryConflictRepair;
import io.kvs.raft.server.NodeRaftServer;
import io.kvs.raft.server.RaftPeers;
import io.kvs.raft.server.RaftTuning;
import io.kvs.raft.statemachine.GroupStateMachine;
import io.kvs.raft.storage.DiskSpace;
import io.kvs.raft.storage.NativeStoreLibrary;
import io.kvs.raft.storage.StoreMemory;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A node's storage side: its Raft server with every group it hosts, its hinted writes, its
 * replicas on their own, and clients to reach any group; its place in the cluster is kept by
 * its {@link ClusterMembership}. One per node.
 */
public final class StoreEngine implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreEngine.class);
    /** How often a node checks with the metadata group that it is still in the view. */
    private static final long MEMBERSHIP_CHECK_MILLIS = 5_000;
    private static final long HINT_REPLAY_MILLIS = 250;
    /** How often the node looks for replicas to repair ({@link FirstEntryConflictRepair}, {@link LogFailureRecovery}). */
    private static final long REPAIR_CHECK_MILLIS = 2_000;
    private static final long TOMBSTONE_PURGE_MILLIS = 10_000;

    private final NodeAddress self;
    private final RaftPeers peers;
    private final NodeRaftServer raft;
    private final ClusterMembership membership;
    private final HintStore hints;
    private final GroupClients clients = new GroupClients();
    private final RequestThreads requestThreads;
    private final PartitionClient partitionClient;
    private final MetadataClient metadataClient = new MetadataClient();
    /** One thread: group changes and cluster joins and leaves happen one at a time, in order. */
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(
            DaemonThreadFactory.single("store-engine"));
    /** Its own thread: a replay waits on a group that may have no majority for a while. */
    private final ScheduledExecutorService hintReplay = Executors.newSingleThreadScheduledExecutor(
            DaemonThreadFactory.single("hint-replay"));
    private final DiskSpace disk;
    private final StoreMemory storeMemory;
    private final LogFailureRecovery logFailures;
    private final HintReplayer replayer;
    /** The partitions of one cluster state as this node reaches them, by group serial; replaced with the state. */
    private record PartitionEngines(ClusterState state, Map<Integer, PartitionEngine> byGroup) {
    }

    private volatile PartitionEngines partitionEngines = new PartitionEngines(null, Map.of());

    /**
     * Starts the node's Raft server, recovering every group in its data directory. A node whose
     * data directory belongs to no cluster yet joins the one its initial view describes, if given;
     * otherwise it waits to be added.
     */
    public StoreEngine(StoreSettings settings, LeaderRelay relay) throws IOException {
        this.self = settings.self();
        this.peers = settings.peers();
        Path dataDir = settings.dataDir();
        this.disk = new DiskSpace(dataDir, settings.diskReserveBytes());
        NativeStoreLibrary.load(dataDir.resolve("native"));
        this.storeMemory = new StoreMemory(settings.storeMemoryBytes());
        ClusterIdFile clusterIdFile = new ClusterIdFile(dataDir);
        this.logFailures = new LogFailureRecovery(disk);
        this.raft = new NodeRaftServer(self, settings.bindHost(), dataDir, peers, this::newStateMachine,
                settings.secret());
        this.membership = new ClusterMembership(self, peers, raft, clusterIdFile, metadataClient, clients, background);
        this.requestThreads = new RequestThreads(self.toString());
        this.partitionClient = new PartitionClient(clients, raft, RaftPeers.peerId(self), relay,
                requestThreads);
        this.hints = new HintStore(dataDir, self.toString(),
                group -> localReplica(group).map(r -> r.appliedHint(self.toString())).orElse(0L));
        raft.start();
        if (membership.clusterId() == null && settings.initialView().isPresent()) {
            membership.bootstrap(View.initial(settings.initialView().get(), settings.k().orElseThrow()));
        } else if (membership.clusterId() != null) {
            LOG.info("{} recovered cluster {} with groups {}", self, membership.clusterId(), raft.groupIds());
        } else {
            LOG.info("{} started without VIEW: waiting to be added to a cluster", self);
        }
        background.scheduleWithFixedDelay(membership::checkMembership, MEMBERSHIP_CHECK_MILLIS, MEMBERSHIP_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        FirstEntryConflictRepair repair = new FirstEntryConflictRepair(raft, () -> System.nanoTime() / 1_000_000);
        background.scheduleWithFixedDelay(repair::check, REPAIR_CHECK_MILLIS, REPAIR_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        background.scheduleWithFixedDelay(() -> logFailures.restartIfRoom(raft), REPAIR_CHECK_MILLIS,
                REPAIR_CHECK_MILLIS, TimeUnit.MILLISECONDS);
        LogSizeLimit logLimit = new LogSizeLimit(raft, RaftTuning.LOG_BYTES_BEFORE_SNAPSHOT);
        background.scheduleWithFixedDelay(logLimit::check, REPAIR_CHECK_MILLIS, REPAIR_CHECK_MILLIS,
                TimeUnit.MILLISECONDS);
        TombstonePurger purger = new TombstonePurger(raft, settings.tombstoneGrace(), System::currentTimeMillis);
        background.scheduleWithFixedDelay(purger::run, TOMBSTONE_PURGE_MILLIS, TOMBSTONE_PURGE_MILLIS,
                TimeUnit.MILLISECONDS);
        this.replayer = new HintReplayer(self.toString(), hints, membership::latest, this::localReplica, this);
        hintReplay.scheduleWithFixedDelay(() -> {
            if (!settings.holdHintReplay().getAsBoolean()) {
                replayer.run();
            }
        }, HINT_REPLAY_MILLIS, HINT_REPLAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Called by Ratis, from {@link NodeRaftServer#start} on, for each group this node hosts. */
    private StateMachine newStateMachine(RaftGroupId id) {
        String clusterId = membership.clusterId();
        GroupStateMachine machine = clusterId != null && id.equals(RaftPeers.metadataGroup(clusterId))
                ? new MetadataStateMachine(state -> {
                    membership.applied(state);
                    raft.fences().liftThrough(state.view().epoch());
                })
                : new PartitionStateMachine(self.toString(), System::currentTimeMillis, disk::hasRoom,
                        () -> raft.fences().isFenced(id), storeMemory);
        machine.onLogFailed(logFailures::failed);
        return machine;
    }

    /** What this node's replica of each group it hosts shows (the metadata group's serial is -1). */
    public List<GroupStatus> groupStatuses() {
        String id = membership.clusterId();
        ClusterState current = membership.latest();
        List<GroupStatus> statuses = new ArrayList<>();
        if (id == null) {
            return statuses;
        }
        Map<RaftGroupId, Integer> serials = new HashMap<>();
        Map<Integer, Integer> partitions = new HashMap<>();
        if (current != null) {
            for (Partition p : current.view().partitions()) {
                serials.put(RaftPeers.partitionGroup(id, p.group()), p.group());
                partitions.put(p.group(), p.id());
            }
        }
        serials.put(RaftPeers.metadataGroup(id), -1);
        for (RaftGroupId groupId : raft.groupIds()) {
            Integer serial = serials.get(groupId);
            if (serial == null) {
                continue; // a group the view no longer names, which this node is leaving
            }
            int group = serial;
            raft.division(groupId).ifPresent(division -> statuses.add(GroupStatus.of(division, group,
                    partitions.getOrDefault(group, -1), group >= 0 ? hints.pendingCount(group) : 0)));
        }
        return statuses;
    }

    /** How many hinted writes this node has replayed into their groups' logs since it started. */
    public long hintsReplayed() {
        return replayer.replayed();
    }

    /** Whether this node's disk has room for more data; without it, writes are refused (507). */
    public boolean diskHasRoom() {
        return disk.hasRoom();
    }

    /**
     * Joins cluster {@code id} as a node being added: hosts the metadata group (with the peers of
     * the view being changed to), from which it learns everything else. Repeating it is harmless.
     */
    public void join(String id, List<NodeAddress> metadataMembers) throws IOException {
        membership.join(id, metadataMembers);
    }

    /** Leaves the cluster now if the metadata group says this node has been removed (the coordinator asks). */
    public void leaveIfRemoved() throws ExecutionException, InterruptedException, TimeoutException {
        membership.leaveIfRemoved();
    }

    /** The node's threads for the next steps of client requests (not the common pool: see {@link RequestThreads}). */
    public RequestThreads requestThreads() {
        return requestThreads;
    }

    public NodeAddress self() {
        return self;
    }

    public RaftPeers peers() {
        return peers;
    }

    public Optional<ClusterState> state() {
        return Optional.ofNullable(membership.latest());
    }

    /**
     * The cluster state, or NOT_IN_CLUSTER when this node is not (yet, or any more) part of one:
     * a removed node stops serving as soon as it applies the view without it.
     */
    public ClusterState requireState() {
        return membership.requireState();
    }

    /**
     * The cluster state once this node has reached view {@code epoch} (a client has seen it
     * elsewhere), waiting up to {@code waitMillis}; then UNAVAILABLE.
     */
    public CompletableFuture<ClusterState> stateAtLeast(long epoch, long waitMillis) {
        return membership.stateAtLeast(epoch, waitMillis);
    }

    /**
     * Why this node cannot serve yet, or empty when it can: it knows its cluster's view and, as
     * a member, its partition's group has a leader; as a proxy, the metadata group has one.
     */
    public Optional<String> notReadyBecause() {
        ClusterState current;
        try {
            current = requireState();
        } catch (KvsException e) {
            return Optional.of(e.getMessage());
        }
        Optional<Partition> own = current.view().partitionOf(self);
        RaftGroupId group = own.map(p -> RaftPeers.partitionGroup(current.clusterId(), p.group()))
                .orElse(RaftPeers.metadataGroup(current.clusterId()));
        boolean led = raft.division(group).map(d -> d.getInfo().getLeaderId() != null).orElse(false);
        if (led) {
            return Optional.empty();
        }
        return Optional.of(own.map(p -> "partition " + p.id() + "'s group").orElse("the metadata group")
                + " has no leader in reach of this node");
    }

    /** Whether a view change is under way, as far as this node's replica of the metadata group knows. */
    public boolean isViewChanging() {
        ClusterState current = membership.latest();
        return current != null && current.change() != null;
    }

    /** Whether this node currently leads the metadata group. */
    public boolean isMetadataLeader() {
        return membership.isMetadataLeader();
    }

    /** Reads the cluster state from the metadata group's leader, for a node that suspects its copy is stale. */
    public CompletableFuture<ClusterState> readState() {
        return membership.readState();
    }

    /** How many writes this node holds as hints for group {@code groupSerial}, not yet in its log. */
    public int hintsPending(int groupSerial) {
        return hints.pendingCount(groupSerial);
    }

    /**
     * The partition of the current view, as this node reaches it. Kept for the next request to
     * the same partition while the view stays: a key request asks for it more than once, and
     * naming a group's peers in Raft builds objects for each member.
     */
    public PartitionEngine partition(Partition partition) {
        ClusterState state = requireState();
        PartitionEngines built = partitionEngines;
        if (built.state() != state) {
            built = new PartitionEngines(state, new ConcurrentHashMap<>());
            partitionEngines = built;
        }
        PartitionEngine kept = built.byGroup().get(partition.group());
        if (kept != null && kept.partition() == partition) {
            return kept;
        }
        RaftGroup group = peers.group(RaftPeers.partitionGroup(state.clusterId(), partition.group()),
                partition.members());
        PartitionEngine engine = new PartitionEngine(partition, group, partitionClient,
                () -> localDivision(partition.group()));
        built.byGroup().put(partition.group(), engine);
        return engine;
    }

    /**
     * Client writes another node relayed to this one as the leader of their partition group
     * ({@link LeaderRelay}); UNAVAILABLE if this node does not lead such a group.
     */
    public CompletableFuture<List<WriteReply>> putRelayed(RaftGroupId id, List<PartitionCommand.Put> puts) {
        RaftServer.Division division = raft.division(id)
                .filter(d -> d.getInfo().isLeader() && d.getStateMachine() instanceof PartitionStateMachine)
                .orElseThrow(() -> new KvsException(ErrorCode.UNAVAILABLE, self + " leads no partition group " + id));
        return partitionClient.putAll(division.getGroup(), puts);
    }

    public PartitionClient partitions() {
        return partitionClient;
    }

    public MetadataClient metadata() {
        return metadataClient;
    }

    /** The view this node routes by, null while it knows none. */
    private View currentView() {
        ClusterState current = membership.latest();
        return current == null ? null : current.view();
    }

    /**
     * This node's own replica of group {@code groupSerial}, as the view this node routes by sees
     * it now. If the node does not host the group, degraded requests answer NO_REPLICA and an
     * export is UNAVAILABLE.
     */
    public LocalReplica replica(int groupSerial) {
        RaftGroupId groupId = partitionGroupId(groupSerial);
        RaftServer.Division division = groupId == null ? null : raft.division(groupId).orElse(null);
        return new LocalReplica(self.toString(), groupSerial, groupId, division, raft.fences(), hints, currentView(),
                disk::hasRoom);
    }

    /** This node's own replica of a group's state machine, if it hosts the group. */
    private Optional<PartitionStateMachine> localReplica(int groupSerial) {
        RaftGroupId id = partitionGroupId(groupSerial);
        return id == null ? Optional.empty() : raft.stateMachine(id, PartitionStateMachine.class);
    }

    /** This node's own replica of a group, as Raft runs it, if it hosts the group. */
    private Optional<RaftServer.Division> localDivision(int groupSerial) {
        RaftGroupId id = partitionGroupId(groupSerial);
        return id == null ? Optional.empty() : raft.division(id);
    }

    /** The id of partition group {@code groupSerial} in this node's cluster, null while the node is in none. */
    private RaftGroupId partitionGroupId(int groupSerial) {
        String id = membership.clusterId();
        return id == null ? null : RaftPeers.partitionGroup(id, groupSerial);
    }

    @Override
    public void close() throws IOException {
        background.shutdownNow();
        hintReplay.shutdownNow();
        clients.close();
        raft.close();
        requestThreads.close();
        hints.close();
        storeMemory.close();
    }
}
