package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster whose disk fills up: writes are refused with 507 (or 503 while a group's leader
 * refuses them), never 500, and in time; every acknowledged write survives; once the disk has
 * room again (the file system made larger under the running nodes) writes are taken again.
 * The nodes' data is on a small tmpfs mounted for the test (root only).
 */
class DiskFullIT {
    private static final String VALUE = "d".repeat(256 * 1024);

    /** With a reserve, the nodes refuse writes before Raft's log runs out of space. */
    @Test
    void aFullDiskRefusesWritesClearlyLosesNothingAndRecoversWithRoom() throws Exception {
        fill("disk-full", 36, 12);
    }

    /**
     * Without one, Raft's log fails to write: Ratis stops writing those replicas for good, and
     * the nodes restart them from their storage once there is room again.
     */
    @Test
    void aRaftLogThatFailedOnAFullDiskComesBackWithRoom() throws Exception {
        fill("disk-full-no-reserve", 37, 0);
    }

    private static void fill(String name, int block, int reserveMegabytes) throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        Path dir = Path.of("target", "cluster-tests", name).toAbsolutePath();
        Files.createDirectories(dir);
        run("umount", dir.toString()); // a mount left behind by an earlier run
        // 48 MiB for the data, and room for each node's copy of RocksDB's native library (17 MB).
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=100m", "tmpfs", dir.toString()),
                "could not mount a tmpfs");
        try (ProcessCluster cluster = ProcessCluster.start(name, new LoopbackNetwork(block), 3, 3,
                Map.of("DISK_RESERVE_MB", Integer.toString(reserveMegabytes)))) {
            check(cluster, dir, reserveMegabytes > 0);
        } finally {
            run("umount", "-l", dir.toString());
        }
    }

    private static void check(ProcessCluster cluster, Path dir, boolean reserved) throws Exception {
        KvsClient client = cluster.client();
        List<NodeAddress> nodes = cluster.addresses();
        Map<String, Reply> acked = new TreeMap<>(); // key -> the answer to its last acknowledged write
        Map<String, String> values = new TreeMap<>();
        Map<Integer, Integer> refusals = new TreeMap<>();
        int refusedInARow = 0;
        for (int i = 0; i < 2_000 && refusedInARow < 30; i++) {
            String key = "full_" + (i % 150);
            String value = i + VALUE;
            Reply put = client.put(nodes.get(i % nodes.size()), key, value, "");
            if (put.isSuccess()) {
                acked.put(key, put);
                values.put(key, value);
                refusedInARow = 0;
                continue;
            }
            refusedInARow++;
            refusals.merge(put.status(), 1, Integer::sum);
            assertTrue(put.status() == 507 || put.status() == 503, "a full disk answers 507 or 503: " + put);
            assertTrue(put.took().toMillis() < 2_000, "answered in time: " + put);
        }
        System.out.printf("disk full: %d keys acknowledged, refusals by status %s%n", acked.size(), refusals);
        assertTrue(refusedInARow >= 30, "the disk filled up: " + refusals);
        if (reserved) {
            assertTrue(refusals.getOrDefault(507, 0) > 0, "writes were refused with 507: " + refusals);
        }
        assertReadable(client, nodes, acked, values, "while the disk is full");

        assertTrue(run("mount", "-o", "remount,size=512m", dir.toString()), "could not make the tmpfs larger");
        Reply after = await("writes to be taken again with room on the disk").atMost(Duration.ofSeconds(60))
                .until(() -> {
            Reply put = client.put(nodes.get(0), "full_0", "after", "");
            return put.isSuccess() ? put : null;
        }, Objects::nonNull);
        acked.put("full_0", after);
        values.put("full_0", "after");
        // A replica whose log failed is restarted within seconds of the room coming back; until
        // then a group it leads takes no writes: every node takes them again soon, not at once.
        for (NodeAddress node : nodes) {
            await("a write through " + node).atMost(Duration.ofSeconds(30))
                    .until(() -> client.put(node, "after_room", "v", "").isSuccess());
        }
        assertReadable(client, nodes, acked, values, "once the disk has room again");
    }

    /** Every acknowledged key reads back with its last value, through every node in turn, with its writer's payload. */
    private static void assertReadable(KvsClient client, List<NodeAddress> nodes, Map<String, Reply> acked,
                                       Map<String, String> values, String when) {
        int i = 0;
        for (Map.Entry<String, Reply> entry : acked.entrySet()) {
            Reply get = client.get(nodes.get(i++ % nodes.size()), entry.getKey(),
                    entry.getValue().string("causal_payload"));
            assertEquals(200, get.status(), entry.getKey() + " " + when + ": " + get);
            assertTrue(values.get(entry.getKey()).equals(get.string("value")),
                    entry.getKey() + " has its last value " + when);
        }
    }

    private static boolean run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    }
}
