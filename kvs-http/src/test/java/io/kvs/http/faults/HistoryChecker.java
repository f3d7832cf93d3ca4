package io.kvs.http.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Checks a chaos history against CONTRACT.md §4:
 * <ul>
 *   <li>no acknowledged write lost: after the heal, each key holds its last acknowledged write or
 *       a later one (each key has one writer, whose writes are causally ordered, so the merge
 *       rule must pick the last);</li>
 *   <li>causal consistency: no read returns a value older than what its client had seen, its
 *       own writes and what the writers of the values it read had seen included;</li>
 *   <li>linearizability where the cluster was healthy (no fault for five seconds before and
 *       during the read, and no write of the key acknowledged as a hint in that time): a read
 *       returns at least every write acknowledged before it began, nothing not yet written when
 *       it ended, and never less than a read that ended before it began.</li>
 * </ul>
 *
 * <p>A hinted write is degraded mode even where no fault was injected: the machine stalled its
 * group for longer than a write may wait (a start on a loaded machine, say). Until the
 * hint enters the group's log, the group's reads do not show it; CONTRACT.md §4 bounds that by
 * the 5 s of staleness after the group has a majority again, as after a fault.
 *
 * <p>A delete is a write whose value is absence. A read that finds no value is taken to have
 * seen a delete of the key that had begun by the time the read ended: one of unknown outcome if
 * any (see below), else the latest (or, with none, the key before its first write); it is judged
 * as a read of that delete's sequence number.
 *
 * <p>A write whose client got no success has an unknown outcome: it may never take effect, or
 * take effect at any time after it was sent, even after the client's later writes. A request
 * held by a paused node, or in a cut link's retransmissions, reaches the node late; a 503 may
 * leave behind a Raft entry that commits once the group has a majority again. Such a write's value is never "older than expected", since it may be
 * the newest; every other value is judged by the order its client wrote it in, which is the order
 * in which acknowledged writes take effect.
 */
final class HistoryChecker {
    private static final long SETTLED_NANOS = 5_000_000_000L;

    private final ChaosIT.History history;
    /** The writes ({@code key#seq}) whose client got no success. */
    private final Set<String> unknownOutcome;

    record Report(List<String> anomalies) {
    }

    /** The history must be complete: every client has finished. */
    HistoryChecker(ChaosIT.History history) {
        this.history = history;
        this.unknownOutcome = history.operations().stream().filter(op -> op.write() && !op.ok())
                .map(op -> op.key() + "#" + op.seq()).collect(Collectors.toSet());
    }

    /**
     * Whether {@code key} holding write {@code seq} is older than holding {@code expected}: it is
     * when the write is earlier and was acknowledged (or is no write at all); a write of unknown
     * outcome may have taken effect after {@code expected}.
     */
    private boolean older(String key, long seq, long expected) {
        return seq < expected && !unknownOutcome.contains(key + "#" + seq);
    }

    /**
     * The sequence number a read saw: the one its value carries, or for a read that found no
     * value, a delete of the key begun before the read ended: one of unknown outcome if there is
     * any (it may have taken effect after the client's later writes, so the absence may be its),
     * else the latest (0: none).
     */
    private long seen(ChaosIT.Op read, List<ChaosIT.Op> keyOps) {
        if (!read.absent()) {
            return read.readSeq();
        }
        List<ChaosIT.Op> begun = keyOps.stream().filter(op -> op.delete() && op.start() < read.end()).toList();
        return begun.stream().filter(op -> !op.ok()).findAny().or(() -> begun.stream()
                .max(Comparator.comparingLong(ChaosIT.Op::seq))).map(ChaosIT.Op::seq).orElse(0L);
    }

    /** Every anomaly of the history, given the value each key holds on every replica after the heal. */
    Report check(Map<String, String> finals) {
        List<String> anomalies = new ArrayList<>();
        List<ChaosIT.Op> ops = history.operations();
        anomalies.addAll(lostWrites(finals));
        checkCausal(ops, anomalies);
        checkLinearizableWhereHealthy(ops, anomalies);
        return new Report(anomalies);
    }

    /**
     * Keys whose final value is older than their last acknowledged write, or newer than any write
     * tried. Each key has one writer, whose writes are causally ordered, so the merge rule must
     * keep the last (or a write of unknown outcome that took effect after it).
     */
    List<String> lostWrites(Map<String, String> finals) {
        List<String> anomalies = new ArrayList<>();
        Map<String, Long> lastAcked = new HashMap<>();
        Map<String, Long> lastTried = new HashMap<>();
        Map<String, Long> lastDelete = new HashMap<>();
        for (ChaosIT.Op op : history.operations()) {
            if (op.delete()) {
                lastDelete.merge(op.key(), op.seq(), Math::max);
            }
            if (op.write()) {
                lastTried.merge(op.key(), op.seq(), Math::max);
                if (op.ok()) {
                    lastAcked.merge(op.key(), op.seq(), Math::max);
                }
            }
        }
        lastAcked.forEach((key, seq) -> {
            String held = finals.get(key);
            // A key that holds no value holds its latest delete, if it had one.
            long last = held == null || held.isEmpty() ? lastDelete.getOrDefault(key, 0L)
                    : ChaosIT.Session.decode(held).getOrDefault(key, 0L);
            if (older(key, last, seq)) {
                anomalies.add("lost write: " + key + " holds #" + last + " but #" + seq + " was acknowledged");
            }
            if (last > lastTried.get(key)) {
                anomalies.add("phantom write: " + key + " holds #" + last + ", never written");
            }
        });
        return anomalies;
    }

    private void checkCausal(List<ChaosIT.Op> ops, List<String> anomalies) {
        Map<String, List<ChaosIT.Op>> byKey = byKey(ops);
        for (ChaosIT.Op op : ops) {
            if (op.write() || !op.ok()) {
                continue;
            }
            long known = op.knowledge().getOrDefault(op.key(), 0L);
            long seen = seen(op, byKey.get(op.key()));
            if (older(op.key(), seen, known)) {
                anomalies.add("causality: client " + op.client() + " read " + op.key() + " #" + seen
                        + (op.absent() ? " (absent)" : "") + " via " + op.via() + " after having seen #" + known);
            }
        }
    }

    private static Map<String, List<ChaosIT.Op>> byKey(List<ChaosIT.Op> ops) {
        Map<String, List<ChaosIT.Op>> byKey = new HashMap<>();
        ops.forEach(op -> byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op));
        return byKey;
    }

    private void checkLinearizableWhereHealthy(List<ChaosIT.Op> ops, List<String> anomalies) {
        byKey(ops).forEach((key, keyOps) -> {
            List<ChaosIT.Op> writes = keyOps.stream().filter(ChaosIT.Op::write).toList();
            List<ChaosIT.Op> hinted = writes.stream().filter(ChaosIT.Op::hinted).toList();
            List<ChaosIT.Op> reads = keyOps.stream().filter(op -> !op.write() && op.ok() && healthy(op, hinted))
                    .sorted(Comparator.comparingLong(ChaosIT.Op::start)).toList();
            // What each read saw, found once: for a read that found no value it is looked up among the key's deletes.
            Map<ChaosIT.Op, Long> seenBy = new HashMap<>();
            reads.forEach(read -> seenBy.put(read, seen(read, keyOps)));
            for (ChaosIT.Op read : reads) {
                long mustSee = writes.stream().filter(w -> w.ok() && w.end() < read.start())
                        .mapToLong(ChaosIT.Op::seq).max().orElse(0);
                long maySee = writes.stream().filter(w -> w.start() < read.end())
                        .mapToLong(ChaosIT.Op::seq).max().orElse(0);
                long seen = seenBy.get(read);
                if (older(key, seen, mustSee)) {
                    anomalies.add("stale read: " + key + " #" + seen + (read.absent() ? " (absent)" : "") + " via "
                            + read.via() + " after #" + mustSee + " was acknowledged");
                }
                if (seen > maySee) {
                    anomalies.add("read from the future: " + key + " #" + seen);
                }
                for (ChaosIT.Op earlier : reads) {
                    long earlierSeen = seenBy.get(earlier);
                    if (earlier.end() < read.start() && older(key, seen, earlierSeen)) {
                        anomalies.add("non-linearizable reads of " + key + ": #" + earlierSeen + " then #" + seen);
                        break;
                    }
                }
            }
        });
    }

    /**
     * Writes taken as hints with no fault during them or in the five seconds before: times the
     * store fell back to degraded mode on its own (a stalled machine, a slow start), reported
     * beside the faults.
     */
    long hintedAwayFromFaults() {
        return history.operations().stream().filter(op -> op.hinted() && healthy(op, List.of())).count();
    }

    /**
     * No fault during the operation and none for five seconds before it; nor a write of its key
     * taken as a hint ({@code hintedWrites}) in that time.
     */
    private boolean healthy(ChaosIT.Op op, List<ChaosIT.Op> hintedWrites) {
        return history.faults().stream().noneMatch(f -> unsettledDuring(f.start(), f.end(), op))
                && hintedWrites.stream().noneMatch(w -> unsettledDuring(w.start(), w.end(), op));
    }

    /** Whether something that lasted from {@code start} to {@code end} was under way or settling during {@code op}. */
    private static boolean unsettledDuring(long start, long end, ChaosIT.Op op) {
        return start < op.end() && end + SETTLED_NANOS > op.start();
    }
}
