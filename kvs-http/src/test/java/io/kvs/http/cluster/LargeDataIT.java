package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data several times a node's heap: 200 MiB of values on nodes with a 64 MiB heap. A store in
 * the heap fails them all (the node exits on OutOfMemoryError); on disk every write is taken,
 * every node is killed and comes back serving everything, a new replica receives it all as a
 * snapshot, and a split and a merge move it. The values are random characters: the store
 * compresses its files, and a run of one letter would shrink 200 MiB to a few.
 */
class LargeDataIT {
    private static final int VALUES = 800;
    private static final int VALUE_CHARS = 256 << 10;
    private static final String HEAP = "64m";
    @AutoClose
    private ProcessCluster cluster;

    @Test
    void holdsServesAndMovesDataFarLargerThanTheHeap() throws Exception {
        // Four nodes, K=3: one partition of three and a proxy.
        cluster = ProcessCluster.start("large-data", new LoopbackNetwork(36), 4, 3, Map.of("STORE_MEMORY_MB", "32"),
                HEAP);
        List<NodeAddress> view = new ArrayList<>(cluster.addresses());
        writeAll(view);
        for (NodeProcess node : cluster.nodes()) {
            long rss = residentBytes(node);
            System.out.printf("%s holds 200 MiB with a %s heap: RSS %d MiB%n", node, HEAP, rss >> 20);
            assertTrue(rss < 700L << 20, node + " RSS " + (rss >> 20) + " MiB");
        }
        // Each replica's log is purged after the snapshots it takes every 64 MiB of log.
        for (NodeAddress node : view) {
            await(node + "'s log purged to its last snapshot").atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.client().metric(node, "kvs_raft_group_log_bytes{group=\"0\"") < 100L << 20);
        }

        for (NodeProcess node : cluster.nodes()) {
            node.kill();
        }
        long restart = System.nanoTime();
        for (NodeProcess node : cluster.nodes()) {
            node.start();
        }
        await("every value served after every node was killed").atMost(Duration.ofSeconds(60))
                .until(() -> unreadable(view).isEmpty());
        System.out.printf("every value served %d ms after the restart began%n", (System.nanoTime() - restart) / 1_000_000);

        // Removing a member makes the proxy a member: its replica receives the store as a snapshot
        // (the log was purged long before: it is snapshotted every 64 MiB).
        Map<Integer, List<NodeAddress>> partitions = cluster.partitions(view.get(0));
        NodeAddress proxy = view.stream().filter(n -> !partitions.get(0).contains(n)).findFirst().orElseThrow();
        NodeAddress removed = partitions.get(0).get(0);
        Reply remove = cluster.updateView(proxy, "remove", removed);
        assertEquals(200, remove.status(), remove.toString());
        view.remove(removed);
        cluster.node(removed).kill();
        await("the new member " + proxy + " to hold every key").atMost(Duration.ofSeconds(60))
                .until(() -> cluster.client().metric(proxy, "kvs_partition_keys{group=") >= VALUES);
        assertTrue(cluster.client().metric(proxy, "kvs_raft_group_snapshots_installed_total{group=\"0\"") >= 1,
                "the new member installed a snapshot");
        assertEquals(List.of(), unreadable(view), "after the new member joined");

        // Three more nodes: six, K=3, two partitions; half the data streams to the new partition.
        for (int i = 0; i < 3; i++) {
            NodeAddress added = cluster.startSpareNode().address();
            Reply add = cluster.updateView(view.get(0), "add", added);
            assertEquals(200, add.status(), add.toString());
            view.add(added);
        }
        assertEquals(2, cluster.partitions(view.get(0)).size());
        assertEquals(List.of(), unreadable(view), "after the split");
        Reply shrink = cluster.updateView(view.get(0), "remove", view.get(view.size() - 1));
        assertEquals(200, shrink.status(), shrink.toString());
        view.remove(view.size() - 1);
        assertEquals(1, cluster.partitions(view.get(0)).size());
        assertEquals(List.of(), unreadable(view), "after the merge");
    }

    /** Writes every value, four at a time, through every node; each must be acknowledged. */
    private void writeAll(List<NodeAddress> via) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(4);
        AtomicInteger next = new AtomicInteger();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                done.add(writers.submit(() -> {
                    for (int i = next.getAndIncrement(); i < VALUES; i = next.getAndIncrement()) {
                        Reply put = cluster.client().put(via.get(i % via.size()), key(i), value(i), "");
                        // A busy partition asks to be tried again (back-pressure), as a client would.
                        for (int retry = 0; put.status() == 503 && "1".equals(put.retryAfter()) && retry < 10; retry++) {
                            Thread.sleep(1_000);
                            put = cluster.client().put(via.get(i % via.size()), key(i), value(i), "");
                        }
                        assertTrue(put.isSuccess(), key(i) + ": HTTP " + put.status() + " " + put.string("error"));
                    }
                    return null;
                }));
            }
            for (Future<?> writer : done) {
                writer.get();
            }
        } finally {
            writers.shutdownNow();
        }
    }

    /** The keys that do not read back with their value through {@code via}, round robin (at most 10). */
    private List<String> unreadable(List<NodeAddress> via) {
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < VALUES && wrong.size() < 10; i++) {
            Reply get = cluster.client().get(via.get(i % via.size()), key(i), "");
            if (get.status() != 200 || !value(i).equals(get.string("value"))) {
                wrong.add(key(i) + ": HTTP " + get.status());
            }
        }
        return wrong;
    }

    private static String key(int i) {
        return "large_" + i;
    }

    /** A value of {@value #VALUE_CHARS} random letters and digits that only key i has. */
    private static String value(int i) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SplittableRandom random = new SplittableRandom(i);
        char[] value = new char[VALUE_CHARS];
        for (int c = 0; c < VALUE_CHARS; c++) {
            value[c] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return new String(value);
    }

    private static long residentBytes(NodeProcess node) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(node.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) << 10;
            }
        }
        throw new IOException("no VmRSS for " + node);
    }
}
