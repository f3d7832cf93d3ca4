package io.kvs.raft.partition;

import io.kvs.core.view.NodeAddress;
import io.kvs.raft.client.GroupClients;
import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.server.LocalRaftCluster;
import io.kvs.raft.server.NodeRaftServer;
import io.kvs.raft.server.RaftPeers;
import io.kvs.raft.server.TestAddresses;
import io.kvs.raft.storage.TestStoreMemory;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A one-member partition group that takes a snapshot, keeps writing, and restarts from disk. */
class PartitionSnapshotTest {
    private final NodeAddress self = TestAddresses.next();
    private final RaftPeers peers = new RaftPeers(RaftPeers.DEFAULT_PORT_OFFSET);

    @Test
    void restartRecoversSnapshotPlusLog(@TempDir Path dir) throws Exception {
        RaftGroup group = peers.group(RaftGroupId.valueOf(UUID.randomUUID()), java.util.List.of(self));
        NodeRaftServer server = start(dir);
        server.addGroup(group);
        try (GroupClients clients = new GroupClients()) {
            PartitionClient partition = new PartitionClient(clients, server::submitIfLeader, RaftPeers.peerId(self),
                    io.kvs.raft.client.LeaderRelay.NONE, LocalRaftCluster.REQUEST_THREADS); // the leader is here
            LocalRaftCluster.awaitLeader(partition, group);
            write(partition, group, 0, 500);
            long applied = server.stateMachine(group.getGroupId(), PartitionStateMachine.class).orElseThrow().appliedIndex();
            try (RaftClient admin = RaftClient.newBuilder().setRaftGroup(group)
                    .setProperties(io.kvs.raft.server.RaftTuning.client()).build()) {
                RaftClientReply snapshot = admin.getSnapshotManagementApi().create(true, 10_000);
                assertTrue(snapshot.isSuccess(), snapshot.toString());
                assertTrue(snapshot.getLogIndex() >= applied, "snapshot index " + snapshot.getLogIndex()
                        + ", applied before it " + applied);
            }
            write(partition, group, 500, 800);
        }
        server.close();

        NodeRaftServer restarted = start(dir);
        try (GroupClients clients = new GroupClients()) {
            assertTrue(restarted.hosts(group.getGroupId()), "the group is recovered from storage");
            PartitionClient partition = new PartitionClient(clients, restarted::submitIfLeader, RaftPeers.peerId(self),
                    io.kvs.raft.client.LeaderRelay.NONE, LocalRaftCluster.REQUEST_THREADS);
            LocalRaftCluster.awaitLeader(partition, group);
            for (int i = 0; i < 800; i++) {
                ReadReply read = partition.read(group, new PartitionQuery.Get(0, "key" + i, Map.of())).get(10, TimeUnit.SECONDS);
                assertEquals("value" + i, read.value().value(), "key" + i);
            }
            PartitionStateMachine sm = restarted.stateMachine(group.getGroupId(), PartitionStateMachine.class).orElseThrow();
            assertEquals(800, sm.size());
        } finally {
            restarted.close();
        }
    }

    private NodeRaftServer start(Path dir) throws Exception {
        NodeRaftServer server = new NodeRaftServer(self, self.host(), dir, peers,
                gid -> new PartitionStateMachine(self.toString(), System::currentTimeMillis, TestStoreMemory.SHARED));
        server.start();
        return server;
    }

    private static void write(PartitionClient client, RaftGroup group, int from, int to) throws Exception {
        CompletableFuture<?>[] writes = new CompletableFuture<?>[to - from];
        for (int i = from; i < to; i++) {
            writes[i - from] = client.put(group, new PartitionCommand.Put(0, "key" + i, "value" + i));
        }
        CompletableFuture.allOf(writes).get(30, TimeUnit.SECONDS);
    }
}
