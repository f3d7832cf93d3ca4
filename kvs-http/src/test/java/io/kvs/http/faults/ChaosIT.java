package io.kvs.http.faults;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient;
import io.kvs.http.cluster.KvsClient.Reply;
import io.kvs.http.cluster.ProcessCluster;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
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
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients work against a cluster while a seeded random schedule cuts, partitions, pauses, kills
 * and restarts nodes; every operation is recorded, and a checker then looks for anomalies
 * ({@link HistoryChecker}). CI runs a short schedule for each of a few seeds; a long soak with
 * a new seed is {@code mvn -pl kvs-http -am verify -Dit.test=ChaosIT -Dchaos.seconds=600
 * -Dchaos.seeds=4242 -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ChaosIT {
    /** The seeds to run, comma-separated ({@code chaos.seed}, one seed, is read too). */
    private static final String SEEDS = System.getProperty("chaos.seeds", System.getProperty("chaos.seed", "1,2"));
    private static final int SECONDS = Integer.getInteger("chaos.seconds", 40);
    private static final int CLIENTS = 3;
    private static final int KEYS_PER_CLIENT = 4;
    private static final Duration CONVERGENCE = Duration.ofSeconds(10);

    @AutoClose
    private ProcessCluster cluster;
    private NamespaceNetwork network;

    @BeforeAll
    static void needsNamespaces() {
        NamespaceNetwork.assumeAvailable();
    }

    static LongStream seeds() {
        return Arrays.stream(SEEDS.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToLong(Long::parseLong);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomFaultsCauseNoAnomaly(long seed) throws Exception {
        network = NamespaceNetwork.create(40);
        cluster = ProcessCluster.start("chaos-" + seed, network, 5, 2);
        List<NodeAddress> nodes = cluster.addresses();
        History history = new History();
        FaultSchedule faults = new FaultSchedule(new Random(seed), cluster, network, history);
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            Session session = new Session(c, KEYS_PER_CLIENT, CLIENTS, new Random(seed * 31 + c), nodes, history);
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

        HistoryChecker checker = new HistoryChecker(history);
        Converged converged = converge(nodes, CLIENTS * KEYS_PER_CLIENT, checker);
        HistoryChecker.Report report = checker.check(converged.values());
        history.writeTimeline(Path.of("target", "cluster-tests", "chaos-" + seed, "history.txt"));
        System.out.printf("chaos seed %d, %d s: %d operations (%d ok), %d faults; %d writes taken as hints (%d away"
                        + " from any fault); converged %d ms after the heal; anomalies: %d%n%s%n", seed, SECONDS,
                history.operations().size(), history.operations().stream().filter(Op::ok).count(),
                history.faults().size(), history.operations().stream().filter(Op::hinted).count(),
                checker.hintedAwayFromFaults(), converged.afterMillis(), report.anomalies().size(),
                String.join("\n", report.anomalies()));
        assertEquals(List.of(), converged.divergent(), "replicas that disagree after the heal");
        assertEquals(List.of(), report.anomalies());
        assertTrue(history.operations().stream().filter(Op::ok).count() > 50, "the clients made progress");
    }

    /**
     * What every node returns for each key after the heal, the keys on which nodes still disagree,
     * and how long after the heal that was (the killed nodes' restart included).
     */
    private record Converged(Map<String, String> values, List<String> divergent, long afterMillis) {
    }

    /**
     * After the heal, within the staleness bound (CONTRACT.md §4: 5 s, plus the time a killed
     * node takes to restart), every node must return the same value for every key, and that
     * value must hold every acknowledged write. Polls until it does; at the deadline, the last
     * sample is what the checker judges. Agreement alone is not enough: right after a heal every
     * replica may still agree on a value that the hints not yet replayed will replace.
     */
    private Converged converge(List<NodeAddress> nodes, int keys, HistoryChecker checker) throws InterruptedException {
        KvsClient client = new KvsClient(Duration.ofSeconds(5));
        long start = System.nanoTime();
        long deadline = start + CONVERGENCE.toNanos();
        while (true) {
            Map<String, String> values = new HashMap<>();
            List<String> divergent = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                String key = Session.keyName(k);
                Set<String> seen = new HashSet<>();
                for (NodeAddress node : nodes) {
                    Reply get = client.get(node, key, "");
                    seen.add(get.status() == 200 ? get.string("value") : get.status() == 404 ? "" : "status " + get.status());
                }
                if (seen.size() == 1) {
                    values.put(key, seen.iterator().next());
                } else {
                    divergent.add(key + ": " + seen);
                }
            }
            boolean done = divergent.isEmpty() && checker.lostWrites(values).isEmpty();
            if (done || System.nanoTime() > deadline) {
                return new Converged(values, divergent, (System.nanoTime() - start) / 1_000_000);
            }
            Thread.sleep(100);
        }
    }

    /**
     * One recorded operation: a client's write (a delete is a write too) or read, when it ran,
     * and what it saw. A read that found no value has {@code absent} set and {@code readSeq} 0.
     * A write acknowledged as a hint ({@code hinted}: a replica alone took it, its group could
     * not take it in time) was made in degraded mode (CONTRACT.md §4).
     */
    record Op(int client, boolean write, boolean delete, String key, long seq, Map<String, Long> knowledge, long start,
              long end, boolean ok, long readSeq, boolean absent, Map<String, Long> readKnowledge, NodeAddress via,
              boolean hinted) {
    }

    /** A fault, while it lasted. */
    record Fault(String what, long start, long end) {
    }

    /** Everything that happened, shared by the clients and the schedule. */
    static final class History {
        private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
        private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
        /** The timeline, each line written as its event is recorded (see {@link #wall}). */
        private final ConcurrentLinkedQueue<Map.Entry<Long, String>> timeline = new ConcurrentLinkedQueue<>();

        void record(Op op) {
            ops.add(op);
            timeline.add(Map.entry(op.start(), String.format("%s..%s client %d %s %s %s via %s%s%s",
                    wall(op.start()), wall(op.end()), op.client(), op.delete() ? "DELETE" : op.write() ? "PUT" : "GET",
                    op.key(), op.write() ? "#" + op.seq() : op.absent() ? "-> absent" : "-> #" + op.readSeq(), op.via(),
                    op.ok() ? "" : " FAILED", op.hinted() ? " (hint)" : "")));
        }

        void record(Fault fault) {
            faults.add(fault);
            timeline.add(Map.entry(fault.start(), String.format("%s..%s FAULT %s",
                    wall(fault.start()), wall(fault.end()), fault.what())));
        }

        List<Op> operations() {
            return new ArrayList<>(ops);
        }

        List<Fault> faults() {
            return new ArrayList<>(faults);
        }

        /** Every operation and fault by start time, on the wall clock of the nodes' logs: for diagnosis. */
        void writeTimeline(Path file) throws IOException {
            List<Map.Entry<Long, String>> lines = new ArrayList<>(timeline);
            lines.sort(Map.Entry.comparingByKey());
            Files.write(file, lines.stream().map(Map.Entry::getValue).toList());
        }

        /**
         * A recent instant of the monotonic clock on the wall clock, as the nodes' logs show it.
         * Converted when the event is recorded, not at the end: the two clocks drift apart when
         * the machine is suspended for a while (seen here: 11 s).
         */
        private static String wall(long nanos) {
            long millis = System.currentTimeMillis() - (System.nanoTime() - nanos) / 1_000_000;
            return LocalTime.ofInstant(Instant.ofEpochMilli(millis), ZoneId.systemDefault()).toString();
        }
    }

    /**
     * A client with its own causal session. It writes only its own keys, each with a sequence
     * number and what it knew of every key when it wrote (so readers can check causality), and
     * reads everyone's keys. One write in five is a delete, which takes a sequence number too.
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
                    write(keyName(id * ownKeys + random.nextInt(ownKeys)), via, random.nextInt(5) == 0);
                } else {
                    read(keyName(random.nextInt(allKeys)), via);
                }
            }
        }

        /**
         * A write of {@code key}'s next sequence number, or a delete. A delete that finds no value
         * (404) is a definite answer too: the key is absent as of this sequence number.
         */
        private void write(String key, NodeAddress via, boolean delete) {
            long seq = nextSeq.merge(key, 1L, Long::sum);
            Map<String, Long> known = new HashMap<>(knowledge);
            known.put(key, seq);
            long start = System.nanoTime();
            Reply reply = delete ? client.delete(via, key, payload) : client.put(via, key, encode(seq, known), payload);
            long end = System.nanoTime();
            boolean ok = reply.isSuccess() || (delete && reply.status() == 404);
            boolean hinted = false;
            if (reply.isSuccess()) {
                String next = reply.string("causal_payload");
                hinted = PayloadHints.newHint(payload, next);
                payload = next;
            }
            if (ok) {
                knowledge.put(key, seq);
            }
            history.record(new Op(id, true, delete, key, seq, known, start, end, ok, 0, false, Map.of(), via, hinted));
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
            history.record(new Op(id, false, false, key, 0, before, start, end, ok, seq, get.status() == 404, read, via,
                    false));
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
