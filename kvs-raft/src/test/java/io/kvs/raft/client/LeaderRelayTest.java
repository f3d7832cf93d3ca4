package io.kvs.raft.client;

import io.kvs.raft.partition.Outcome;
import io.kvs.raft.partition.PartitionCodec;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.ReadReply;
import io.kvs.raft.partition.WriteReply;
import io.kvs.raft.server.LocalRaftCluster;
import io.kvs.raft.server.RaftPeers;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes taken by a node that does not lead their group, relayed to the leader ({@link LeaderRelay})
 * over a loopback relay that encodes and decodes like the wire: they reach the group in batches,
 * and when the relay fails they still do, each applied once. That a relayed batch joins the
 * leader's own waiting writes is {@link RequestBatcherTest}'s to show.
 */
class LeaderRelayTest {
    private static final int WRITES = 300;

    @Test
    void relayedWritesReachTheLeaderInBatchesAndAreAppliedOnce(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            cluster.awaitLeaderClient();
            int leader = leaderIndex(cluster);
            int follower = (leader + 1) % 3;
            List<GroupClients> groupClients = new ArrayList<>();
            try {
                // Each server's client, as each node has one; the relay reaches the server it names,
                // which refuses the batch unless it leads the group (as the internal route does).
                List<PartitionClient> atServer = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    GroupClients clients = new GroupClients();
                    groupClients.add(clients);
                    atServer.add(new PartitionClient(clients, cluster.servers[i]::submitIfLeader,
                            RaftPeers.peerId(cluster.nodes.get(i)), LeaderRelay.NONE, LocalRaftCluster.REQUEST_THREADS));
                }
                PartitionClient atLeader = atServer.get(leader);
                AtomicInteger relayed = new AtomicInteger();
                LeaderRelay loopback = (to, group, encoded) -> {
                    int target = IntStream.range(0, 3).filter(i -> RaftPeers.peerId(cluster.nodes.get(i)).equals(to))
                            .findFirst().orElseThrow();
                    if (!isLeader(cluster, target)) {
                        return CompletableFuture.failedFuture(new IOException(to + " answered 503"));
                    }
                    relayed.incrementAndGet();
                    return atServer.get(target).putAll(cluster.group, PartitionCodec.decodePuts(encoded))
                            .thenApply(replies -> PartitionCodec.decodeWriteReplies(PartitionCodec.encodeWriteReplies(replies)));
                };
                GroupClients followerClients = new GroupClients();
                groupClients.add(followerClients);
                PartitionClient atFollower = new PartitionClient(followerClients, cluster.servers[follower]::submitIfLeader,
                        RaftPeers.peerId(cluster.nodes.get(follower)), loopback,
                        LocalRaftCluster.REQUEST_THREADS);
                learnLeader(atFollower, cluster);

                List<CompletableFuture<WriteReply>> writes = new ArrayList<>();
                for (int i = 0; i < WRITES; i++) {
                    PartitionCommand.Put put = put(i, "relayed");
                    writes.add(i % 2 == 0 ? atFollower.put(cluster.group, put) : atLeader.put(cluster.group, put));
                }
                for (CompletableFuture<WriteReply> write : writes) {
                    assertEquals(Outcome.CREATED, write.get(10, TimeUnit.SECONDS).status());
                }
                assertTrue(relayed.get() > 0 && relayed.get() < WRITES / 2,
                        "the follower's writes reached the leader in " + relayed.get() + " relayed batches");
                assertAllRead(atLeader, cluster, "relayed");
            } finally {
                for (GroupClients clients : groupClients) {
                    clients.close();
                }
            }
        }
    }

    @Test
    void aBatchTheRelayCannotDeliverGoesThroughTheRaftClient(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            cluster.awaitLeaderClient();
            int leader = leaderIndex(cluster);
            int follower = (leader + 1) % 3;
            AtomicInteger refused = new AtomicInteger();
            // As a node that no longer leads answers, or one that cannot be reached; and one that took
            // the batch into its log but whose answer was lost: each write must still be applied once.
            try (GroupClients followerClients = new GroupClients(); GroupClients leaderClients = new GroupClients()) {
                PartitionClient atLeader = new PartitionClient(leaderClients, cluster.servers[leader]::submitIfLeader,
                        RaftPeers.peerId(cluster.nodes.get(leader)), LeaderRelay.NONE,
                        LocalRaftCluster.REQUEST_THREADS);
                LeaderRelay failing = (to, group, encoded) -> {
                    int n = refused.incrementAndGet();
                    if (n % 2 == 0) {
                        return atLeader.putAll(cluster.group, PartitionCodec.decodePuts(encoded))
                                .thenCompose(lost -> CompletableFuture.failedFuture(new IOException("answer lost")));
                    }
                    return CompletableFuture.failedFuture(new IOException("503: leads no partition group"));
                };
                PartitionClient atFollower = new PartitionClient(followerClients, cluster.servers[follower]::submitIfLeader,
                        RaftPeers.peerId(cluster.nodes.get(follower)), failing,
                        LocalRaftCluster.REQUEST_THREADS);
                learnLeader(atFollower, cluster);
                List<CompletableFuture<WriteReply>> writes = new ArrayList<>();
                for (int i = 0; i < WRITES; i++) {
                    writes.add(atFollower.put(cluster.group, put(i, "fallback")));
                }
                for (CompletableFuture<WriteReply> write : writes) {
                    WriteReply reply = write.get(10, TimeUnit.SECONDS);
                    assertTrue(reply.status() == Outcome.CREATED || reply.status() == Outcome.UPDATED, reply.toString());
                }
                assertTrue(refused.get() > 1, "the relay was tried");
                assertAllRead(atLeader, cluster, "fallback");
                for (int replica = 0; replica < 3; replica++) {
                    int r = replica;
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                            .until(() -> cluster.stateMachine(r).size() == WRITES);
                }
                assertEquals(1, cluster.stateMachine(leader).get("k0").version().raft(),
                        "a write both relayed and sent again is applied once");
            }
        }
    }

    @Test
    void aFollowerRelaysToTheLeaderItsReplicaFollowsNotItsClientsGuess(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            cluster.awaitLeaderClient();
            try (GroupClients followerClients = new GroupClients(); GroupClients leaderClients = new GroupClients()) {
                // A client that has sent nothing guesses the group's first peer, as wrong as the
                // client of a node that last wrote when a node since dead led the group: the lead
                // moves off that peer if it has it.
                RaftPeerId guess = followerClients.leaderOf(cluster.group);
                if (RaftPeers.peerId(cluster.nodes.get(leaderIndex(cluster))).equals(guess)) {
                    RaftPeerId other = cluster.group.getPeers().stream().map(p -> p.getId())
                            .filter(id -> !id.equals(guess)).findFirst().orElseThrow();
                    cluster.clients.call(cluster.group, c -> {
                        try {
                            return CompletableFuture.completedFuture(c.admin().transferLeadership(other, 5_000));
                        } catch (IOException e) {
                            return CompletableFuture.failedFuture(e);
                        }
                    }).get(10, TimeUnit.SECONDS);
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                            .until(() -> !RaftPeers.peerId(cluster.nodes.get(leaderIndex(cluster))).equals(guess));
                }
                int leader = leaderIndex(cluster);
                RaftPeerId leaderId = RaftPeers.peerId(cluster.nodes.get(leader));
                int follower = (leader + 1) % 3;
                PartitionClient atLeader = new PartitionClient(leaderClients, cluster.servers[leader],
                        leaderId, LeaderRelay.NONE, LocalRaftCluster.REQUEST_THREADS);
                List<RaftPeerId> relayedTo = new java.util.concurrent.CopyOnWriteArrayList<>();
                LeaderRelay recording = (to, group, encoded) -> {
                    relayedTo.add(to);
                    return to.equals(leaderId)
                            ? atLeader.putAll(cluster.group, PartitionCodec.decodePuts(encoded))
                            : CompletableFuture.failedFuture(new IOException(to + " answered 503"));
                };
                PartitionClient atFollower = new PartitionClient(followerClients, cluster.servers[follower],
                        RaftPeers.peerId(cluster.nodes.get(follower)), recording, LocalRaftCluster.REQUEST_THREADS);
                assertEquals(leaderId, cluster.servers[follower].leaderOf(cluster.group.getGroupId()));
                assertEquals(Outcome.CREATED, atFollower.put(cluster.group, put(0, "followed")).get(10, TimeUnit.SECONDS)
                        .status());
                assertEquals(List.of(leaderId), relayedTo, "the batch went to the leader the follower's replica follows");
                assertEquals(1, atFollower.relaysTaken());
            }
        }
    }

    @Test
    void aServerSubmitsOnlyToAGroupItHostsAndLeads(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            cluster.awaitLeaderClient();
            int follower = (leaderIndex(cluster) + 1) % 3;
            Message message = Message.valueOf("never applied");
            RaftGroupId elsewhere = RaftGroupId.randomId();
            for (int i = 0; i < 3; i++) {
                assertNull(cluster.servers[i].submitIfLeader(elsewhere, message, RaftClientRequest.writeRequestType()),
                        "a group the server does not host");
                assertTrue(cluster.servers[i].division(elsewhere).isEmpty());
            }
            assertNull(cluster.servers[follower].submitIfLeader(cluster.group.getGroupId(), message,
                    RaftClientRequest.writeRequestType()), "a group the server follows in");
        }
    }

    /** A write with its own id, as a gateway makes it: sent twice, it is applied once. */
    private static PartitionCommand.Put put(int i, String value) {
        return new PartitionCommand.Put(1, "k" + i, value + i, Map.of(), 1_000 + i, 0,
                io.kvs.core.causal.CausalPayload.empty());
    }

    private static int leaderIndex(LocalRaftCluster cluster) {
        return IntStream.range(0, 3).filter(i -> isLeader(cluster, i)).findFirst().orElseThrow();
    }

    private static boolean isLeader(LocalRaftCluster cluster, int i) {
        return cluster.servers[i].division(cluster.group.getGroupId()).orElseThrow().getInfo().isLeader();
    }

    /** A read through the follower's Raft client: the client now knows which peer leads. */
    private static void learnLeader(PartitionClient client, LocalRaftCluster cluster) throws Exception {
        client.read(cluster.group, new PartitionQuery.Get(0, "probe", Map.of())).get(10, TimeUnit.SECONDS);
    }

    private static void assertAllRead(PartitionClient client, LocalRaftCluster cluster, String value) throws Exception {
        for (int i = 0; i < WRITES; i++) {
            ReadReply read = client.read(cluster.group, new PartitionQuery.Get(1, "k" + i, Map.of())).get(10, TimeUnit.SECONDS);
            assertEquals(value + i, read.value().value(), "k" + i);
        }
    }
}
