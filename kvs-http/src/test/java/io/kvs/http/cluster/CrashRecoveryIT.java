package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Six nodes, K=3 (two partitions of three), killed with SIGKILL: acknowledged writes survive,
 * a partition that keeps a majority keeps serving, one that has none answers 503 quickly.
 */
class CrashRecoveryIT {
    private ProcessCluster cluster;
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

    @AfterEach
    void stopCluster() throws Exception {
        cluster.close();
    }

    @Test
    void partitionStaysWritableWithOneReplicaKilled() throws Exception {
        Map<String, String> acked = writeKeys("one_down", 40, nodes);
        List<NodeAddress> members = partitions.get(0);
        String probe = keyIn(0, "probe");
        cluster.node(members.get(0)).kill();
        List<NodeAddress> survivors = nodes.stream().filter(n -> !n.equals(members.get(0))).toList();

        // After at most one election, every write through any surviving node succeeds.
        Poll.until(Duration.ofSeconds(10), "partition 0 to elect a leader",
                () -> client.put(survivors.get(0), probe, "v", "").isSuccess() ? true : null);
        acked.putAll(writeKeys("after_kill", 40, survivors));
        assertAllReadable(acked, survivors);
    }

    @Test
    void partitionWithNoReplicaLeftAnswers503QuicklyWhileTheOtherServes() throws Exception {
        Map<String, String> acked = writeKeys("before", 40, nodes);
        String deadKey = keyIn(0, "dead");
        String liveKey = keyIn(1, "live");
        for (NodeAddress member : partitions.get(0)) {
            cluster.node(member).kill();
        }
        for (NodeAddress via : partitions.get(1)) {
            Reply put = client.put(via, deadKey, "x", "");
            assertEquals(503, put.status(), put.toString());
            assertEquals("key value store is not available", put.string("error"));
            assertTrue(put.took().toMillis() < 1_500, "503 must come quickly: " + put);
            Reply get = client.get(via, deadKey, "");
            assertEquals(503, get.status(), get.toString());
            assertTrue(get.took().toMillis() < 1_500, "503 must come quickly: " + get);

            Reply live = client.put(via, liveKey, "still", "");
            assertTrue(live.isSuccess(), live.toString());
            assertEquals("still", client.get(via, liveKey, "").string("value"));
        }
        for (NodeAddress member : partitions.get(0)) {
            cluster.node(member).start();
        }
        cluster.awaitServing();
        assertAllReadable(acked, nodes);
    }

    @Test
    void everyNodeKilledAndRestartedLosesNoAcknowledgedWrite() throws Exception {
        Map<String, String> acked = writeKeys("durable", 100, nodes);
        acked.putAll(writeKeys("durable", 100, nodes)); // second round: every key updated once
        for (NodeProcess node : cluster.nodes()) {
            node.kill();
        }
        for (NodeProcess node : cluster.nodes()) {
            node.start();
        }
        cluster.awaitServing();
        assertAllReadable(acked, nodes);
    }

    /** Writes {@code count} keys round-robin through {@code via}; returns each acknowledged key's last value. */
    private Map<String, String> writeKeys(String prefix, int count, List<NodeAddress> via) {
        Map<String, String> acked = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String key = prefix + "_" + i;
            String value = prefix + "-" + i + "-" + System.nanoTime();
            Reply put = client.put(via.get(i % via.size()), key, value, "");
            assertTrue(put.isSuccess(), key + ": " + put);
            acked.put(key, value);
        }
        return acked;
    }

    private void assertAllReadable(Map<String, String> acked, List<NodeAddress> via) {
        List<String> wrong = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, String> entry : acked.entrySet()) {
            Reply get = client.get(via.get(i++ % via.size()), entry.getKey(), "");
            if (get.status() != 200 || !entry.getValue().equals(get.string("value"))) {
                wrong.add(entry.getKey() + " -> " + get);
            }
        }
        assertEquals(List.of(), wrong, "acknowledged writes not readable with their last value");
    }

    /** A fresh key owned by {@code partition}, found by writing candidates (black box: no hashing in the test). */
    private String keyIn(int partition, String prefix) {
        for (int i = 0; i < 1_000; i++) {
            String key = prefix + "_" + partition + "_" + i;
            Reply put = client.put(nodes.get(0), key, "probe", "");
            if (put.isSuccess() && put.integer("partition_id") == partition) {
                return key;
            }
        }
        throw new AssertionError("no key found in partition " + partition);
    }
}
