package io.kvs.http.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a chaos history against CONTRACT.md §4:
 * <ul>
 *   <li>no acknowledged write lost: after the heal, each key holds its last acknowledged write or
 *       a later one (each key has one writer, whose writes are causally ordered, so the merge
 *       rule must pick the last);</li>
 *   <li>causal consistency: no read returns a value older than what its client had seen, its
 *       own writes and what the writers of the values it read had seen included;</li>
 *   <li>linearizability where the cluster was healthy (no fault for five seconds before and
 *       during the read): a read returns at least every write acknowledged before it began,
 *       nothing not yet written when it ended, and never less than a read that ended before it
 *       began.</li>
 * </ul>
 */
final class HistoryChecker {
    private static final long SETTLED_NANOS = 5_000_000_000L;

    private final ChaosIT.History history;
    private final Map<String, String> finals;

    record Report(List<String> anomalies) {
    }

    HistoryChecker(ChaosIT.History history, Map<String, String> finals) {
        this.history = history;
        this.finals = finals;
    }

    Report check() {
        List<String> anomalies = new ArrayList<>();
        List<ChaosIT.Op> ops = history.operations();
        checkNothingLost(ops, anomalies);
        checkCausal(ops, anomalies);
        checkLinearizableWhereHealthy(ops, anomalies);
        return new Report(anomalies);
    }

    private void checkNothingLost(List<ChaosIT.Op> ops, List<String> anomalies) {
        Map<String, Long> lastAcked = new HashMap<>();
        Map<String, Long> lastTried = new HashMap<>();
        for (ChaosIT.Op op : ops) {
            if (op.write()) {
                lastTried.merge(op.key(), op.seq(), Math::max);
                if (op.ok()) {
                    lastAcked.merge(op.key(), op.seq(), Math::max);
                }
            }
        }
        lastAcked.forEach((key, seq) -> {
            long last = ChaosIT.Session.decode(finals.get(key)).getOrDefault(key, 0L);
            if (last < seq) {
                anomalies.add("lost write: " + key + " holds #" + last + " but #" + seq + " was acknowledged");
            }
            if (last > lastTried.get(key)) {
                anomalies.add("phantom write: " + key + " holds #" + last + ", never written");
            }
        });
    }

    private void checkCausal(List<ChaosIT.Op> ops, List<String> anomalies) {
        for (ChaosIT.Op op : ops) {
            if (op.write() || !op.ok()) {
                continue;
            }
            long known = op.knowledge().getOrDefault(op.key(), 0L);
            if (op.readSeq() < known) {
                anomalies.add("causality: client " + op.client() + " read " + op.key() + " #" + op.readSeq()
                        + " via " + op.via() + " after having seen #" + known);
            }
        }
    }

    private void checkLinearizableWhereHealthy(List<ChaosIT.Op> ops, List<String> anomalies) {
        Map<String, List<ChaosIT.Op>> byKey = new HashMap<>();
        ops.forEach(op -> byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op));
        byKey.forEach((key, keyOps) -> {
            List<ChaosIT.Op> writes = keyOps.stream().filter(ChaosIT.Op::write).toList();
            List<ChaosIT.Op> reads = keyOps.stream().filter(op -> !op.write() && op.ok() && healthy(op))
                    .sorted(Comparator.comparingLong(ChaosIT.Op::start)).toList();
            for (ChaosIT.Op read : reads) {
                long mustSee = writes.stream().filter(w -> w.ok() && w.end() < read.start())
                        .mapToLong(ChaosIT.Op::seq).max().orElse(0);
                long maySee = writes.stream().filter(w -> w.start() < read.end())
                        .mapToLong(ChaosIT.Op::seq).max().orElse(0);
                if (read.readSeq() < mustSee) {
                    anomalies.add("stale read: " + key + " #" + read.readSeq() + " via " + read.via()
                            + " after #" + mustSee + " was acknowledged");
                }
                if (read.readSeq() > maySee) {
                    anomalies.add("read from the future: " + key + " #" + read.readSeq());
                }
                for (ChaosIT.Op earlier : reads) {
                    if (earlier.end() < read.start() && earlier.readSeq() > read.readSeq()) {
                        anomalies.add("non-linearizable reads of " + key + ": #" + earlier.readSeq()
                                + " then #" + read.readSeq());
                        break;
                    }
                }
            }
        });
    }

    /** No fault during the operation, and none for five seconds before it. */
    private boolean healthy(ChaosIT.Op op) {
        return history.faults().stream().noneMatch(f -> f.start() < op.end() && f.end() + SETTLED_NANOS > op.start());
    }
}
