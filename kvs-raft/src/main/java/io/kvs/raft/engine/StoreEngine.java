package io.kvs.raft.engine;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.client.GroupClients;
import io.kvs.raft.client.MetadataClient;
import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.MetaCommand;
import io.kvs.raft.meta.MetadataStateMachine;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.server.ClusterIdFile;
import io.kvs.raft.server.NodeRaftServer;
import io.kvs.raft.server.RaftPeers;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.statemachine.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A node's storage side: its Raft server with every group it hosts, the cluster state it learns
 * from the metadata group, and clients to reach any group. One per node.
 */
public final class StoreEngine implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreEngine.class);
    private static final long INIT_RETRY_MILLIS = 300;

    private final NodeAddress self;
    private final RaftPeers peers;
    private final ClusterIdFile clusterIdFile;
    private final NodeRaftServer raft;
    private final GroupClients clients = new GroupClients();
    private final PartitionClient partitionClient = new PartitionClient(clients);
    private final MetadataClient metadataClient = new MetadataClient(clients);
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "store-engine");
        t.setDaemon(true);
        return t;
    });
    private volatile String clusterId;
    private volatile ClusterState state;

    /**
     * Starts the node's Raft server, recovering every group in {@code dataDir}. A node whose data
     * directory belongs to no cluster yet joins the one {@code initialView} describes, if given;
     * otherwise it waits to be added.
     */
    public StoreEngine(NodeAddress self, String bindHost, Path dataDir, RaftPeers peers,
                       Optional<Integer> k, Optional<List<NodeAddress>> initialView) throws IOException {
        this.self = self;
        this.peers = peers;
        this.clusterIdFile = new ClusterIdFile(dataDir);
        this.clusterId = clusterIdFile.read().orElse(null);
        this.raft = new NodeRaftServer(self, bindHost, dataDir, peers, this::newStateMachine);
        raft.start();
        if (clusterId == null && initialView.isPresent()) {
            bootstrap(View.initial(initialView.get(), k.orElseThrow()));
        } else if (clusterId != null) {
            LOG.info("{} recovered cluster {} with groups {}", self, clusterId, raft.groupIds());
        } else {
            LOG.info("{} started without VIEW: waiting to be added to a cluster", self);
        }
    }

    private StateMachine newStateMachine(RaftGroupId id) {
        if (clusterId != null && id.equals(RaftPeers.metadataGroup(clusterId))) {
            return new MetadataStateMachine(this::onClusterState);
        }
        return new PartitionStateMachine(self.toString(), System::currentTimeMillis);
    }

    /** Joins the groups of a cluster started from VIEW, then proposes its initial state until one is applied. */
    private void bootstrap(View initial) throws IOException {
        String id = RaftPeers.clusterId(initial.nodes(), initial.k());
        clusterId = id;
        raft.addGroup(metadataGroup(id, initial));
        Optional<Partition> own = initial.partitionOf(self);
        if (own.isPresent()) {
            raft.addGroup(partitionGroup(id, own.get()));
        }
        clusterIdFile.write(id);
        String tag = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        proposeInit(new ClusterState(id, tag, initial));
        LOG.info("{} joined cluster {} from VIEW ({} nodes, K={})", self, id, initial.nodes().size(), initial.k());
    }

    private void proposeInit(ClusterState initial) {
        if (state != null || background.isShutdown()) {
            return;
        }
        metadataClient.propose(metadataGroup(initial.clusterId(), initial.view()), new MetaCommand.Init(initial))
                .orTimeout(3, TimeUnit.SECONDS)
                .whenComplete((applied, failure) -> {
                    if (failure != null && state == null && !background.isShutdown()) {
                        LOG.info("cluster state not yet committed ({}); retrying", failure.toString());
                        background.schedule(() -> proposeInit(initial), INIT_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                    }
                });
    }

    private void onClusterState(ClusterState next) {
        state = next;
    }

    public NodeAddress self() {
        return self;
    }

    public Optional<ClusterState> state() {
        return Optional.ofNullable(state);
    }

    /** The cluster state, or NOT_IN_CLUSTER when this node is not (yet) part of one. */
    public ClusterState requireState() {
        ClusterState current = state;
        if (current == null) {
            throw new KvsException(ErrorCode.NOT_IN_CLUSTER, clusterId == null
                    ? "this node is not part of a cluster yet: add it with update_view"
                    : "this node is starting and has not learned the cluster's view yet");
        }
        return current;
    }

    public RaftGroup partitionGroup(Partition partition) {
        return partitionGroup(requireState().clusterId(), partition);
    }

    private RaftGroup partitionGroup(String id, Partition partition) {
        return peers.group(RaftPeers.partitionGroup(id, partition.group()), partition.members());
    }

    private RaftGroup metadataGroup(String id, View view) {
        return peers.group(RaftPeers.metadataGroup(id), view.nodes());
    }

    public PartitionClient partitions() {
        return partitionClient;
    }

    /** This node's own replica of a partition's state machine, if it hosts the group. */
    public Optional<PartitionStateMachine> localReplica(Partition partition) {
        return raft.stateMachine(partitionGroup(partition).getGroupId(), PartitionStateMachine.class);
    }

    /** Reads the cluster state from the metadata group's leader, for a node that suspects its copy is stale. */
    public CompletableFuture<ClusterState> refresh() {
        ClusterState current = requireState();
        return metadataClient.read(metadataGroup(current.clusterId(), current.view()));
    }

    @Override
    public void close() throws IOException {
        background.shutdownNow();
        clients.close();
        raft.close();
    }
}
