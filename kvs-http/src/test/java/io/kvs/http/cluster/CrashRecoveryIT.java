package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Six nodes, K=3 (two partitions of three), killed with SIGKILL: acknowledged writes survive,
 * a partition that keeps a majority keeps serving, one that has none answers 503 quickly.
 */
class CrashRecoveryIT {
    @AutoClose
    private ProcessCluster cluster;
    /** An error, a stack frame, or the node's report that its shutdown failed. */
    private static final Pattern SHUTDOWN_TROUBLE = Pattern.compile(" ERROR |^\\s+at |shutdown: ");

    private KvsClient client;
    private List<NodeAddress> nodes;
    private Map<Integer, List<NodeAddress>> partitions;

    @BeforeEach
    void startCluster() throws Exception {
        cluster = ProcessCluster.start("crash-recovery", 22, 6, 3);
        client = cluster.client();
        nodes = cluster.addresses();
        partitions = cluster.partitions(nodes.get(0));
    }

    @Test
    void partitionStaysWritableWithOneReplicaKilled() throws Exception {
        AckedWrites acked = new AckedWrites(client);
        acked.write("one_down", 40, nodes);
        List<NodeAddress> members = partitions.get(0);
        String probe = cluster.keyIn(0, nodes.get(0));
        cluster.node(members.get(0)).kill();
        List<NodeAddress> survivors = nodes.stream().filter(n -> !n.equals(members.get(0))).toList();

        // After at most one election, every write through any surviving node succeeds.
        await("partition 0 to elect a leader").atMost(Duration.ofSeconds(10))
                .until(() -> client.put(survivors.get(0), probe, "v", "").isSuccess());
        acked.write("after_kill", 40, survivors);
        acked.assertAllReadable(survivors, "after a replica was killed");
    }

    @Test
    void partitionWithNoReplicaLeftAnswers503QuicklyWhileTheOtherServes() throws Exception {
        AckedWrites acked = new AckedWrites(client);
        acked.write("before", 40, nodes);
        String deadKey = cluster.keyIn(0, nodes.get(0));
        String liveKey = cluster.keyIn(1, nodes.get(0));
        for (NodeAddress member : partitions.get(0)) {
            cluster.node(member).kill();
        }
        for (NodeAddress via : partitions.get(1)) {
            Reply put = client.put(via, deadKey, "x", "");
            assertEquals(503, put.status(), put.toString());
            assertEquals("key value store is not available", put.string("error"));
            assertEquals("1", put.retryAfter(), "a client may try again in a second (the replicas may be back): " + put);
            assertTrue(put.took().toMillis() < 1_500, "503 must come quickly: " + put);
            Reply get = client.get(via, deadKey, "");
            assertEquals(503, get.status(), get.toString());
            assertEquals("1", get.retryAfter(), get.toString());
            assertTrue(get.took().toMillis() < 1_500, "503 must come quickly: " + get);

            Reply live = client.put(via, liveKey, "still", "");
            assertTrue(live.isSuccess(), live.toString());
            assertEquals("still", client.get(via, liveKey, "").string("value"));
        }
        for (NodeAddress member : partitions.get(0)) {
            cluster.node(member).start();
        }
        cluster.awaitServing();
        acked.assertAllReadable(nodes, "after the partition's replicas restarted");
    }

    /**
     * A node that stalls (SIGSTOP, as a long GC pause or a starved CPU would) while a read waits
     * on a group with no majority still serves the read from the group's last replica when it
     * runs again, rather than answer 503 for the time it lost.
     */
    @Test
    void aReadWhoseNodeStallsMidRequestIsServedByTheReplicaLeft() throws Exception {
        NodeAddress gateway = partitions.get(1).get(0);
        String key = cluster.keyIn(0, gateway);
        assertTrue(client.put(gateway, key, "before the stall", "").isSuccess());
        List<NodeAddress> members = partitions.get(0);
        // A majority holds the write; the replica left must too, or a read without a payload may see the older value.
        await("every replica of partition 0 to apply the write").atMost(Duration.ofSeconds(10)).until(() ->
                members.stream().map(m -> client.metric(m, "kvs_raft_group_applied_index{group=\"0\"")).distinct().count() == 1);
        cluster.node(members.get(0)).kill();
        cluster.node(members.get(1)).kill();
        // Until its lease ends, a leader serves reads without its majority.
        await("the last replica to know no leader").atMost(Duration.ofSeconds(10))
                .until(() -> client.metric(members.get(2), "kvs_raft_group_leader{group=\"0\"") == -1);
        Reply alone = client.get(gateway, key, "");
        assertEquals("before the stall", alone.string("value"), "the last replica serves reads alone: " + alone);

        CompletableFuture<Reply> read = CompletableFuture.supplyAsync(() -> client.get(gateway, key, ""));
        Thread.sleep(200); // into the group's share of the read's second (RoutedRequest.BUDGET)
        cluster.node(gateway).pause();
        Thread.sleep(1_000); // the stall outlasts the read's second
        cluster.node(gateway).resume();
        Reply stalled = read.get(10, TimeUnit.SECONDS);
        assertEquals(200, stalled.status(), stalled.toString());
        assertEquals("before the stall", stalled.string("value"));
    }

    @Test
    void everyNodeKilledAndRestartedLosesNoAcknowledgedWrite() throws Exception {
        AckedWrites acked = new AckedWrites(client);
        acked.write("durable", 100, nodes);
        acked.write("durable", 100, nodes); // second round: every key updated once
        for (NodeProcess node : cluster.nodes()) {
            node.kill();
        }
        for (NodeProcess node : cluster.nodes()) {
            node.start();
        }
        cluster.awaitServing();
        acked.assertAllReadable(nodes, "after every node restarted");
        for (NodeProcess node : cluster.nodes()) {
            assertEquals(List.of(), filesIn(node.tempDir()), node + " must leave nothing in its temporary directory");
            assertEquals(1, filesIn(node.dataDir().resolve("native")).size(),
                    node + " must keep one copy of the store's native library, in its data directory");
        }
    }

    /**
     * SIGTERM, as {@code docker stop} and {@code ./kvs-local down} send: each node exits by
     * itself, reports no error on the way (peers' idle connections must not hold its HTTP
     * server's stop until it fails), and comes back with every acknowledged write.
     */
    @Test
    void everyNodeStoppedWithSigtermExitsCleanlyAndLosesNoAcknowledgedWrite() throws Exception {
        AckedWrites acked = new AckedWrites(client);
        acked.write("stopped", 60, nodes);
        for (NodeProcess node : cluster.nodes()) {
            assertTrue(node.stop(Duration.ofSeconds(15)), node + " must exit by itself on SIGTERM");
        }
        for (NodeProcess node : cluster.nodes()) {
            assertEquals(List.of(), NodeLogs.matching(node, SHUTDOWN_TROUBLE),
                    node + " must log no error and no stack trace while it stops");
        }
        for (NodeProcess node : cluster.nodes()) {
            node.start();
        }
        cluster.awaitServing();
        acked.assertAllReadable(nodes, "after every node stopped and started");
    }

    private static List<Path> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }
}
