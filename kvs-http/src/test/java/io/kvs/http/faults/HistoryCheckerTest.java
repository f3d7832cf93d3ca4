package io.kvs.http.faults;

import io.kvs.core.view.NodeAddress;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chaos checker's judgement of deletes: it must find a resurrected or lost key, and accept a correct history. */
class HistoryCheckerTest {
    private static final NodeAddress VIA = new NodeAddress("127.0.0.1", 8080);
    private static final String KEY = "chaos_0";

    private static ChaosIT.Op put(long seq, long start, long end) {
        return new ChaosIT.Op(0, true, false, KEY, seq, Map.of(KEY, seq), start, end, true, 0, false, Map.of(), VIA, false);
    }

    /** A write a replica took alone, as a hint: its group's reads miss it until the hint enters its log. */
    private static ChaosIT.Op hintedPut(long seq, long start, long end) {
        return new ChaosIT.Op(0, true, false, KEY, seq, Map.of(KEY, seq), start, end, true, 0, false, Map.of(), VIA, true);
    }

    private static ChaosIT.Op delete(long seq, long start, long end) {
        return new ChaosIT.Op(0, true, true, KEY, seq, Map.of(KEY, seq), start, end, true, 0, false, Map.of(), VIA, false);
    }

    /** A delete whose client got no answer (its call timed out): it may take effect at any later time. */
    private static ChaosIT.Op unansweredDelete(long seq, long start, long end) {
        return new ChaosIT.Op(0, true, true, KEY, seq, Map.of(KEY, seq), start, end, false, 0, false, Map.of(), VIA, false);
    }

    private static ChaosIT.Op read(Map<String, Long> known, long readSeq, boolean absent, long start, long end) {
        return new ChaosIT.Op(1, false, false, KEY, 0, known, start, end, true, readSeq, absent, Map.of(), VIA, false);
    }

    private static List<String> anomalies(Map<String, String> finals, ChaosIT.Op... ops) {
        ChaosIT.History history = new ChaosIT.History();
        for (ChaosIT.Op op : ops) {
            history.record(op);
        }
        return new HistoryChecker(history).check(finals).anomalies();
    }

    @Test
    void aDeletedKeyReadAbsentAfterItsDeleteIsCorrect() {
        assertEquals(List.of(), anomalies(Map.of(KEY, ""),
                put(1, 0, 10), delete(2, 20, 30), read(Map.of(), 0, true, 40, 50), read(Map.of(KEY, 2L), 0, true, 60, 70)));
    }

    @Test
    void aValueReadAfterItsDeleteWasAcknowledgedIsStale() {
        List<String> found = anomalies(Map.of(KEY, ""),
                put(1, 0, 10), delete(2, 20, 30), read(Map.of(KEY, 2L), 1, false, 40, 50));
        assertTrue(found.stream().anyMatch(a -> a.startsWith("causality")), found.toString());
        assertTrue(found.stream().anyMatch(a -> a.startsWith("stale read")), found.toString());
    }

    @Test
    void aKeyAbsentAfterAWriteThatFollowedItsDeleteLostThatWrite() {
        List<String> found = anomalies(Map.of(KEY, ""), put(1, 0, 10), delete(2, 20, 30), put(3, 40, 50),
                read(Map.of(KEY, 3L), 0, true, 60, 70));
        assertTrue(found.stream().anyMatch(a -> a.startsWith("lost write")), found.toString());
        assertTrue(found.stream().anyMatch(a -> a.startsWith("causality")), found.toString());
    }

    @Test
    void aDeletedKeyThatCameBackLostTheDelete() {
        List<String> found = anomalies(Map.of(KEY, KEY + ":1"), put(1, 0, 10), delete(2, 20, 30));
        assertTrue(found.stream().anyMatch(a -> a.startsWith("lost write")), found.toString());
    }

    /**
     * ChaosIT seed 2 in CI: a delete sent to a node whose link was cut timed out; the link's
     * retransmissions delivered it after the heal, and it took effect after the client's later
     * writes. A read that finds the key absent then has seen that delete, not the last one.
     */
    @Test
    void aKeyAbsentAfterAnUnansweredDeleteMayHaveSeenThatDelete() {
        assertEquals(List.of(), anomalies(Map.of(KEY, KEY + ":4"), put(1, 0, 10), unansweredDelete(2, 20, 3_020),
                delete(3, 3_030, 3_040), put(4, 3_050, 3_060), read(Map.of(KEY, 4L), 0, true, 3_070, 3_080)));
    }

    @Test
    void anUnansweredDeleteBegunAfterTheReadExplainsNoAbsence() {
        List<String> found = anomalies(Map.of(KEY, KEY + ":3"), put(1, 0, 10), delete(2, 20, 30), put(3, 40, 50),
                read(Map.of(KEY, 3L), 0, true, 60, 70), unansweredDelete(4, 80, 3_080));
        assertTrue(found.stream().anyMatch(a -> a.startsWith("causality")), found.toString());
    }

    /**
     * ChaosIT seed 1 in CI: at the start, with no fault injected, a group did not take writes in
     * time and a replica took them as hints; for the next two seconds the group's reads, by
     * clients that had not seen the hints, missed them. Degraded mode, whose staleness CONTRACT.md
     * §4 bounds by 5 s: not judged as a stale read within them, judged after.
     */
    @Test
    void aReadMissingAHintedWriteIsStaleOnlyFiveSecondsAfterIt() {
        long second = 1_000_000_000L;
        assertEquals(List.of(), anomalies(Map.of(KEY, KEY + ":2"), put(1, 0, 10), hintedPut(2, 20, 30),
                read(Map.of(), 1, false, 2 * second, 2 * second + 10)));
        List<String> found = anomalies(Map.of(KEY, KEY + ":2"), put(1, 0, 10), hintedPut(2, 20, 30),
                read(Map.of(), 1, false, 6 * second, 6 * second + 10));
        assertTrue(found.stream().anyMatch(a -> a.startsWith("stale read")), found.toString());
    }

    /** The same read after a write its group committed is stale at once. */
    @Test
    void aReadMissingACommittedWriteIsStale() {
        List<String> found = anomalies(Map.of(KEY, KEY + ":2"), put(1, 0, 10), put(2, 20, 30),
                read(Map.of(), 1, false, 40, 50));
        assertTrue(found.stream().anyMatch(a -> a.startsWith("stale read")), found.toString());
    }
}
