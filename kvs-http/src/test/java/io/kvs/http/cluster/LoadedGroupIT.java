package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group slowed by load, not cut off: sixteen clients writing values of a MiB all at once, each
 * carrying its causal payload from write to write, queue behind each other in the group, and
 * some writes take longer than a group's share of a request's second. Such a write stays with
 * the busy group (or is refused as busy). It used to become a hint on a replica alone, and a
 * hint in a group that commits made its client's next writes wait for its replay: the group
 * refused them, they became hints in turn, and the replicas' hint backlogs filled until writes
 * were refused as unavailable. A write that found its node idle may still miss its time and
 * become a hint, as in a group out of reach; the chain must not follow. A client refused as
 * busy waits the second the refusal asks for, as clients that honour back-pressure do: without
 * that pause a slower machine than the one the bounds below were set on sees the group refuse
 * ever more writes and take ever fewer.
 */
class LoadedGroupIT {
    private static final int CLIENTS = 16;
    private static final long LOAD_SECONDS = 20;
    private static final int VALUE_CHARS = 1_000_000;
    private static final String BUSY = "key value store is not available: the partition is busy, try again";
    @AutoClose
    private ProcessCluster cluster;

    @Test
    void writesToAGroupSlowedByLoadStayInItsLog() throws Exception {
        cluster = ProcessCluster.start("loaded-group", new LoopbackNetwork(47), 3, 3, Map.of(), "256m");
        List<NodeAddress> nodes = cluster.addresses();
        Map<String, String> acked = new ConcurrentHashMap<>();
        List<String> refused = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger busy = new AtomicInteger();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(LOAD_SECONDS);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                done.add(clients.submit(() -> {
                    String payload = "";
                    for (int i = 0; System.nanoTime() < until; i++) {
                        String key = "loaded_" + client + "_" + i;
                        String value = value(client, i);
                        Reply put = cluster.client().put(nodes.get((client + i) % nodes.size()), key, value, payload);
                        if (put.isSuccess()) {
                            acked.put(key, value);
                            payload = put.string("causal_payload");
                        } else if (put.status() == 503 && BUSY.equals(put.string("error"))) {
                            busy.incrementAndGet();
                            if (!"1".equals(put.retryAfter())) {
                                refused.add(key + ": busy without Retry-After: 1, but " + put.retryAfter());
                            }
                            // As a client honouring back-pressure does: the pause the refusal asks for.
                            Thread.sleep(TimeUnit.SECONDS.toMillis(1));
                        } else {
                            refused.add(key + ": HTTP " + put.status() + " " + put.string("error"));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> client : done) {
                client.get();
            }
        } finally {
            clients.shutdownNow();
        }
        long hints = 0;
        for (NodeAddress node : nodes) {
            hints += cluster.client().metric(node, "kvs_hints_replayed_total")
                    + cluster.client().metric(node, "kvs_hints_pending{");
        }
        System.out.printf("%d writes of %d characters acknowledged, %d refused as busy, %d refused otherwise, "
                + "%d hints%n", acked.size(), VALUE_CHARS, busy.get(), refused.size(), hints);
        assertEquals(List.of(), refused.subList(0, Math.min(10, refused.size())), "refused other than as busy");
        // At the start no node has seen the group answer yet, so each client's first slow write
        // may become a hint, as in a group out of reach; a chain of hints grows with the load.
        assertTrue(hints <= CLIENTS + acked.size() / 50, hints + " writes taken as hints, " + acked.size()
                + " acknowledged: more than one per client and one in fifty");
        // More clients than values the group commits in a second: the slowest writes miss the
        // second and are refused as busy. How many depends on the machine's speed, not on the
        // store: the fewer values the group commits a second, the more of the clients' writes
        // wait longer than a second. A store whose refusals cost the group what it commits
        // would refuse ever more and take ever fewer: the group must still take at least as
        // many writes as it refuses.
        assertTrue(busy.get() <= acked.size(), busy + " refused as busy, " + acked.size() + " acknowledged");
        List<String> unreadable = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, String> write : acked.entrySet()) {
            Reply get = cluster.client().get(nodes.get(i++ % nodes.size()), write.getKey(), "");
            if (get.status() != 200 || !write.getValue().equals(get.string("value"))) {
                unreadable.add(write.getKey() + ": HTTP " + get.status());
            }
        }
        assertEquals(List.of(), unreadable.subList(0, Math.min(10, unreadable.size())), "acknowledged, not readable");
    }

    /** A value only write {@code i} of {@code client} has. */
    private static String value(int client, int i) {
        String unit = "v" + client + "-" + i + "-";
        return unit.repeat(VALUE_CHARS / unit.length() + 1).substring(0, VALUE_CHARS);
    }
}
