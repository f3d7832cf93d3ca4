package io.kvs.raft.server;

import io.kvs.core.view.NodeAddress;
import io.kvs.raft.client.GroupClients;
import io.kvs.raft.client.LeaderRelay;
import io.kvs.raft.client.LocalLeader;
import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.client.RequestThreads;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.storage.TestStoreMemory;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;

import org.awaitility.Awaitility;

import java.io.IOException;
import java.time.Duration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Raft servers in this JVM on distinct loopback addresses, each hosting one partition group. */
public final class LocalRaftCluster implements AutoCloseable {
    /** The threads every test's partition clients hand a local leader's replies to. */
    public static final RequestThreads REQUEST_THREADS = new RequestThreads("test");
    public final List<NodeAddress> nodes = new ArrayList<>();
    public final NodeRaftServer[] servers;
    public final RaftPeers peers = new RaftPeers(RaftPeers.DEFAULT_PORT_OFFSET);
    public final RaftGroup group;
    public final GroupClients clients = new GroupClients();
    private final Path dataRoot;

    public LocalRaftCluster(Path dataRoot, int size) throws IOException {
        this.dataRoot = dataRoot;
        nodes.addAll(TestAddresses.next(size));
        group = peers.group(RaftGroupId.valueOf(UUID.randomUUID()), nodes);
        servers = new NodeRaftServer[size];
        for (int i = 0; i < size; i++) {
            start(i);
            servers[i].addGroup(group);
        }
    }

    /** A client of the group, once the group has elected a leader. */
    public PartitionClient awaitLeaderClient() {
        PartitionClient client = new PartitionClient(clients, LocalLeader.NONE, null, LeaderRelay.NONE, REQUEST_THREADS);
        awaitLeader(client, group);
        return client;
    }

    /** Polls the group with reads until one succeeds: the group has elected a leader. */
    public static void awaitLeader(PartitionClient client, RaftGroup group) {
        Awaitility.await("group " + group.getGroupId() + " to elect a leader").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .until(() -> client.read(group, new PartitionQuery.Get(0, "leader_probe", java.util.Map.of()))
                        .get(5, java.util.concurrent.TimeUnit.SECONDS) != null);
    }

    public void start(int i) throws IOException {
        NodeAddress self = nodes.get(i);
        NodeRaftServer[] started = new NodeRaftServer[1];
        started[0] = new NodeRaftServer(self, self.host(), dataRoot.resolve("n" + i), peers,
                gid -> new PartitionStateMachine(self.toString(), System::currentTimeMillis, () -> true,
                        () -> started[0].fences().isFenced(gid), TestStoreMemory.SHARED));
        servers[i] = started[0];
        servers[i].start();
    }

    public void stop(int i) throws IOException {
        servers[i].close();
        servers[i] = null;
    }

    public PartitionStateMachine stateMachine(int i) {
        return servers[i].stateMachine(group.getGroupId(), PartitionStateMachine.class).orElseThrow();
    }

    @Override
    public void close() throws IOException {
        clients.close();
        for (NodeRaftServer server : servers) {
            if (server != null) {
                server.close();
            }
        }
    }
}
