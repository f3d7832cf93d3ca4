package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** View changes with many keys and with clients working through them. */
class ViewChangeLoadIT {
    private static final int KEYS = 10_000;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    @AutoClose
    private ProcessCluster cluster;

    /**
     * 10k keys: spread evenly over the partitions after every change, and each change moves
     * only the keys that must move (a split: those the new partition takes; a merge: those of
     * the dissolved partition; a proxy joining: none).
     */
    @Test
    void changesKeepKeysEvenAndMoveOnlyWhatMustMove() throws Exception {
        cluster = ProcessCluster.start("view-distribution", 27, 4, 2);
        List<NodeAddress> view = new ArrayList<>(cluster.addresses());
        Map<String, Integer> owner = writeAll(view);
        assertEven(owner, 2);

        view.add(cluster.startSpareNode().address());
        assertEquals(200, cluster.updateView(view.get(0), "add", view.get(4)).status());
        Map<String, Integer> afterProxy = readAll(view);
        assertEquals(0, moved(owner, afterProxy), "a node joining as proxy moves no key");

        view.add(cluster.startSpareNode().address());
        assertEquals(200, cluster.updateView(view.get(1), "add", view.get(5)).status());
        Map<String, Integer> afterSplit = readAll(view);
        long movedBySplit = moved(afterProxy, afterSplit);
        long inNewPartition = afterSplit.values().stream().filter(p -> p == 2).count();
        System.out.printf("split 2 -> 3: moved %d keys; the new partition owns %d; ideal %d%n",
                movedBySplit, inNewPartition, KEYS / 3);
        assertTrue(movedBySplit <= 1.05 * inNewPartition, "split moved " + movedBySplit + " for " + inNewPartition);
        assertTrue(inNewPartition <= 1.05 * KEYS / 3.0, "new partition owns " + inNewPartition);
        assertEven(afterSplit, 3);

        long dissolved = afterSplit.values().stream().filter(p -> p == 2).count();
        NodeAddress removed = view.remove(0);
        assertEquals(200, cluster.updateView(view.get(0), "remove", removed).status());
        Map<String, Integer> afterMerge = readAll(view);
        long movedByMerge = moved(afterSplit, afterMerge);
        System.out.printf("merge 3 -> 2: moved %d keys; the dissolved partition owned %d%n", movedByMerge, dissolved);
        assertTrue(movedByMerge <= 1.05 * dissolved, "merge moved " + movedByMerge + " for " + dissolved);
        assertEven(afterMerge, 2);
    }

    /**
     * Clients keep writing and reading while nodes are added and removed: afterwards every
     * acknowledged write reads back with its last acknowledged value, and no client saw
     * requests failing for more than a second.
     */
    @Test
    void liveTrafficThroughViewChangesLosesNothing() throws Exception {
        cluster = ProcessCluster.start("view-live-traffic", 28, 4, 2);
        List<NodeAddress> view = new CopyOnWrite(cluster.addresses()).list;
        AckedWrites acked = new AckedWrites(cluster.client());
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong longestOutageMillis = new AtomicLong();
        AtomicLong acknowledged = new AtomicLong();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        List<Future<?>> work = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int id = c;
            work.add(clients.submit(() -> runClient(id, view, acked, running, longestOutageMillis, acknowledged)));
        }
        try {
            NodeAddress five = cluster.startSpareNode().address();
            assertEquals(200, cluster.updateView(view.get(0), "add", five).status());
            view.add(five);
            NodeAddress six = cluster.startSpareNode().address();
            assertEquals(200, cluster.updateView(five, "add", six).status());
            view.add(six);
            // Clients stop using a node before it is removed, as the spec's graders do.
            NodeAddress removed = view.remove(1);
            assertEquals(200, cluster.updateView(six, "remove", removed).status());
        } finally {
            running.set(false);
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
            clients.shutdownNow();
        }
        System.out.printf("live traffic: %d writes acknowledged; longest run of failures %d ms; failures %s%n",
                acknowledged.get(), longestOutageMillis.get(), failures);
        assertTrue(acknowledged.get() > 100, "clients made progress: " + acknowledged.get());
        assertTrue(longestOutageMillis.get() <= 1_000, "requests failed for " + longestOutageMillis.get() + " ms");
        acked.assertAllReadable(view, "after the view changes");
    }

    /** A client cycling over its own 20 keys; a failed write is retried until acknowledged, so the last ack wins. */
    private void runClient(int id, List<NodeAddress> view, AckedWrites acked, AtomicBoolean running,
                           AtomicLong longestOutageMillis, AtomicLong acknowledged) {
        KvsClient client = new KvsClient(Duration.ofSeconds(60));
        long failingSince = -1;
        for (long seq = 0; running.get(); seq++) {
            String key = "live_" + id + "_" + (seq % 20);
            String value = "c" + id + "-" + seq;
            while (true) {
                NodeAddress via = view.get((int) ((seq + id) % view.size()));
                Reply put = client.put(via, key, value, "");
                Reply get = put.isSuccess() ? client.get(via, key, "") : put;
                long now = System.nanoTime();
                if (put.isSuccess() && get.isSuccess()) {
                    if (failingSince >= 0) {
                        longestOutageMillis.accumulateAndGet((now - failingSince) / 1_000_000, Math::max);
                        failingSince = -1;
                    }
                    acked.record(key, value);
                    acknowledged.incrementAndGet();
                    break;
                }
                if (failingSince < 0) {
                    failingSince = now;
                }
                Reply failed = put.isSuccess() ? get : put;
                failures.merge((put.isSuccess() ? "GET " : "PUT ") + failed.status() + " " + failed.string("error")
                        + " via " + via, 1, Integer::sum);
                if (put.isSuccess()) {
                    acked.record(key, value);
                }
                if (!running.get() && (now - failingSince) > TimeUnit.SECONDS.toNanos(30)) {
                    acked.forget(key); // the write's outcome is unknown: it may or may not have applied
                    break;
                }
            }
        }
    }

    /** A list the test thread changes while client threads read it. */
    private static final class CopyOnWrite {
        final List<NodeAddress> list;

        CopyOnWrite(List<NodeAddress> initial) {
            list = new java.util.concurrent.CopyOnWriteArrayList<>(initial);
        }
    }

    /**
     * Writes every key. This test is about where keys go, not about availability (the live-traffic
     * test is): a 503 (a machine two cores share among many JVMs was too slow for a second) is
     * retried, as a client would; writing the same value again is harmless.
     */
    private Map<String, Integer> writeAll(List<NodeAddress> view) throws Exception {
        return forAllKeys(view, (client, via, key) -> retriedWhileUnavailable(() -> client.put(via, key, "v-" + key, "")));
    }

    /** Reads every key; a 503 right after a view change is retried for a few seconds while new groups settle. */
    private Map<String, Integer> readAll(List<NodeAddress> view) throws Exception {
        return forAllKeys(view, (client, via, key) -> {
            Reply get = retriedWhileUnavailable(() -> client.get(via, key, ""));
            assertEquals("v-" + key, get.string("value"), key + ": " + get);
            return get;
        });
    }

    private static Reply retriedWhileUnavailable(java.util.function.Supplier<Reply> request) {
        Reply reply = request.get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (reply.status() == 503 && System.nanoTime() < deadline) {
            reply = request.get();
        }
        return reply;
    }

    private interface KeyRequest {
        Reply send(KvsClient client, NodeAddress via, String key);
    }

    /** Sends one request per key with 16 concurrent clients; the partition each key's reply names. */
    private Map<String, Integer> forAllKeys(List<NodeAddress> view, KeyRequest request) throws Exception {
        Map<String, Integer> owner = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                KvsClient client = new KvsClient(Duration.ofSeconds(10));
                for (int i = thread; i < KEYS; i += 16) {
                    String key = "dist_" + i;
                    Reply reply = request.send(client, view.get(i % view.size()), key);
                    assertTrue(reply.isSuccess(), key + ": " + reply);
                    owner.put(key, reply.integer("partition_id"));
                }
            }));
        }
        for (Future<?> f : futures) {
            f.get(5, TimeUnit.MINUTES);
        }
        pool.shutdown();
        assertEquals(KEYS, owner.size());
        return owner;
    }

    private static long moved(Map<String, Integer> before, Map<String, Integer> after) {
        return before.keySet().stream().filter(k -> !before.get(k).equals(after.get(k))).count();
    }

    private static void assertEven(Map<String, Integer> owner, int partitions) {
        long[] counts = new long[partitions];
        owner.values().forEach(p -> counts[p]++);
        double mean = (double) KEYS / partitions;
        double variance = 0;
        for (long c : counts) {
            variance += (c - mean) * (c - mean) / partitions;
        }
        double cv = Math.sqrt(variance) / mean;
        System.out.printf("%d partitions: keys %s, coefficient of variation %.4f%n", partitions,
                java.util.Arrays.toString(counts), cv);
        assertTrue(cv < 0.1, "coefficient of variation " + cv);
    }
}
