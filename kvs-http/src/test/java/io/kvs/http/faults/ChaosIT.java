package io.kvs.http.faults;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient;
import io.kvs.http.cluster.KvsClient.Reply;
import io.kvs.http.cluster.Poll;
import io.kvs.http.cluster.ProcessCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients work against a cluster while a seeded random schedule cuts, partitions, pauses, kills
 * and restarts nodes; every operation is recorded, and a checker then looks for anomalies
 * ({@link HistoryChecker}). CI runs a short schedule; a long soak is
 * {@code mvn -pl kvs-http verify -Dit.test=ChaosIT -Dchaos.seconds=600 -Dchaos.seed=7}.
 */
class ChaosIT {
    private static final long SEED = Long.getLong("chaos.seed", 1);
    private static final int SECONDS = Integer.getInteger("chaos.seconds", 40);
    private static final int CLIENTS = 3;
    private static final int KEYS_PER_CLIENT = 4;

    private ProcessCluster cluster;
    private NamespaceNetwork network;

    @BeforeAll
    static void needsNamespaces() {
        NamespaceNetwork.assumeAvailable();
    }

    @AfterEach
    void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void randomFaultsCauseNoAnomaly() throws Exception {
        network = NamespaceNetwork.create(40);
        cluster = ProcessCluster.start("chaos", network, 5, 2);
        List<NodeAddress> nodes = cluster.addresses();
        History history = new History();
        FaultSchedule faults = new FaultSchedule(new Random(SEED), cluster, network, history);
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Session session = new Session(c, KEYS_PER_CLIENT, CLIENTS, new Random(SEED * 31 + c), nodes, history);
            clients.add(pool.submit(() -> session.run(running)));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        try {
            while (System.nanoTime() < end) {
                faults.step();
            }
        } finally {
            faults.healAll();
            running.set(false);
            for (Future<?> client : clients) {
                client.get(2, TimeUnit.MINUTES);
            }
            pool.shutdownNow();
        }

        Map<String, String> finals = converge(nodes, CLIENTS * KEYS_PER_CLIENT);
        HistoryChecker.Report report = new HistoryChecker(history, finals).check();
        System.out.printf("chaos seed %d, %d s: %d operations (%d ok), %d faults; anomalies: %d%n%s%n",
                SEED, SECONDS, history.operations().size(),
                history.operations().stream().filter(Op::ok).count(), history.faults().size(),
                report.anomalies().size(), String.join("\n", report.anomalies()));
        assertEquals(List.of(), report.anomalies());
        assertTrue(history.operations().stream().filter(Op::ok).count() > 50, "the clients made progress");
    }

    /** After the heal, every node returns the same value for every key within the staleness bound. */
    private Map<String, String> converge(List<NodeAddress> nodes, int keys) {
        KvsClient client = new KvsClient(Duration.ofSeconds(5));
        return Poll.until(Duration.ofSeconds(15), "every node to agree on every key", () -> {
            Map<String, String> agreed = new HashMap<>();
            for (int k = 0; k < keys; k++) {
                String key = Session.keyName(k);
                Set<String> seen = new HashSet<>();
                for (NodeAddress node : nodes) {
                    Reply get = client.get(node, key, "");
                    seen.add(get.status() == 200 ? get.string("value") : get.status() == 404 ? "" : null);
                }
                if (seen.size() != 1 || seen.contains(null)) {
                    return null;
                }
                agreed.put(key, seen.iterator().next());
            }
            return agreed;
        });
    }

    /** One recorded operation: a client's write or read, when it ran, and what it saw. */
    record Op(int client, boolean write, String key, long seq, Map<String, Long> knowledge, long start, long end,
              boolean ok, long readSeq, Map<String, Long> readKnowledge, NodeAddress via) {
    }

    /** A fault, while it lasted. */
    record Fault(String what, long start, long end) {
    }

    /** Everything that happened, shared by the clients and the schedule. */
    static final class History {
        private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();

        void record(Op op) {
            ops.add(op);
        }

        void record(Fault fault) {
            faults.add(fault);
        }

        List<Op> operations() {
            return new ArrayList<>(ops);
        }

        List<Fault> faults() {
            return new ArrayList<>(faults);
        }
    }

    /**
     * A client with its own causal session. It writes only its own keys, each with a sequence
     * number and what it knew of every key when it wrote (so readers can check causality), and
     * reads everyone's keys.
     */
    static final class Session {
        private final int id;
        private final int ownKeys;
        private final int allKeys;
        private final Random random;
        private final List<NodeAddress> nodes;
        private final History history;
        private final KvsClient client = new KvsClient(Duration.ofSeconds(3));
        private final Map<String, Long> knowledge = new HashMap<>();
        private final Map<String, Long> nextSeq = new HashMap<>();
        private String payload = "";

        Session(int id, int ownKeys, int clients, Random random, List<NodeAddress> nodes, History history) {
            this.id = id;
            this.ownKeys = ownKeys;
            this.allKeys = ownKeys * clients;
            this.random = random;
            this.nodes = nodes;
            this.history = history;
        }

        static String keyName(int k) {
            return "chaos_" + k;
        }

        void run(AtomicBoolean running) {
            while (running.get()) {
                NodeAddress via = nodes.get(random.nextInt(nodes.size()));
                if (random.nextBoolean()) {
                    write(keyName(id * ownKeys + random.nextInt(ownKeys)), via);
                } else {
                    read(keyName(random.nextInt(allKeys)), via);
                }
            }
        }

        private void write(String key, NodeAddress via) {
            long seq = nextSeq.merge(key, 1L, Long::sum);
            Map<String, Long> known = new HashMap<>(knowledge);
            known.put(key, seq);
            long start = System.nanoTime();
            Reply put = client.put(via, key, encode(seq, known), payload);
            long end = System.nanoTime();
            if (put.isSuccess()) {
                payload = put.string("causal_payload");
                knowledge.put(key, seq);
            }
            history.record(new Op(id, true, key, seq, known, start, end, put.isSuccess(), 0, Map.of(), via));
        }

        private void read(String key, NodeAddress via) {
            Map<String, Long> before = new HashMap<>(knowledge);
            long start = System.nanoTime();
            Reply get = client.get(via, key, payload);
            long end = System.nanoTime();
            boolean ok = get.status() == 200 || get.status() == 404;
            long seq = 0;
            Map<String, Long> read = Map.of();
            if (get.status() == 200) {
                read = decode(get.string("value"));
                seq = read.getOrDefault(key, 0L);
                payload = get.string("causal_payload");
                read.forEach((k, s) -> knowledge.merge(k, s, Math::max));
            }
            history.record(new Op(id, false, key, 0, before, start, end, ok, seq, read, via));
        }

        /** A value: the key's sequence number and the writer's knowledge, as {@code key:seq,...}. */
        static String encode(long seq, Map<String, Long> known) {
            StringBuilder text = new StringBuilder();
            known.forEach((k, s) -> text.append(text.length() == 0 ? "" : ",").append(k).append(':').append(s));
            return text.toString();
        }

        static Map<String, Long> decode(String value) {
            Map<String, Long> known = new HashMap<>();
            if (value != null && !value.isEmpty()) {
                for (String part : value.split(",")) {
                    int colon = part.lastIndexOf(':');
                    known.put(part.substring(0, colon), Long.parseLong(part.substring(colon + 1)));
                }
            }
            return known;
        }
    }
}
