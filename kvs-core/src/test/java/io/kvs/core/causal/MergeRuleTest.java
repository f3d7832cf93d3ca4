package io.kvs.core.causal;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MergeRuleTest {

    @Test
    void causallyLaterWriteReplacesAndEarlierIsDropped() {
        VersionedValue first = new VersionedValue("1", 1000, "a:1", VersionVector.EMPTY.nextRaft());
        VersionedValue second = new VersionedValue("2", 900, "b:1", first.version().nextRaft());
        assertSame(second, MergeRule.merge(first, second));
        assertSame(second, MergeRule.merge(second, first));
    }

    @Test
    void concurrentWritesPickHigherTimestampThenOrigin() {
        VersionVector base = VersionVector.EMPTY.nextRaft();
        VersionedValue left = new VersionedValue("left", 2000, "a:1", base.nextAt("a:1"));
        VersionedValue right = new VersionedValue("right", 1000, "b:1", base.nextRaft());
        VersionedValue merged = MergeRule.merge(right, left);
        assertEquals("left", merged.value());
        assertEquals(left.version().merge(right.version()), merged.version());
        assertEquals(merged, MergeRule.merge(left, right));

        VersionedValue tieA = new VersionedValue("A", 5000, "a:1", base.nextAt("a:1"));
        VersionedValue tieB = new VersionedValue("B", 5000, "b:1", base.nextAt("b:1"));
        assertEquals("B", MergeRule.merge(tieA, tieB).value());
        assertEquals("B", MergeRule.merge(tieB, tieA).value());
    }

    @Test
    void deleteHidesWhatItFollowsAndALaterWriteRevivesTheKey() {
        VersionedValue written = new VersionedValue("1", 1000, "a:1", VersionVector.EMPTY.nextRaft());
        VersionedValue deleted = VersionedValue.orderedAfter(written, null, 500, "b:1", CausalPayload.empty());
        assertTrue(deleted.isTombstone());
        assertEquals(1001, deleted.timestampMillis(), "a delete is later than what it deletes, whatever the clock");
        assertSame(deleted, MergeRule.merge(written, deleted));
        assertSame(deleted, MergeRule.merge(deleted, written));
        VersionedValue revived = VersionedValue.orderedAfter(deleted, "2", 900, "a:1", CausalPayload.empty());
        assertSame(revived, MergeRule.merge(deleted, revived));
        assertTrue(VersionedValue.isLive(revived));
        assertFalse(VersionedValue.isLive(deleted));
        assertFalse(VersionedValue.isLive(null));
    }

    @Test
    void deleteConcurrentWithAWriteResolvesByTimestampOnEveryReplica() {
        VersionVector base = VersionVector.EMPTY.nextRaft();
        VersionedValue laterWrite = new VersionedValue("w", 2000, "a:1", base.nextAt("a:1"));
        VersionedValue earlierDelete = new VersionedValue(null, 1000, "b:1", base.nextRaft());
        assertEquals("w", MergeRule.merge(laterWrite, earlierDelete).value());
        assertEquals(MergeRule.merge(laterWrite, earlierDelete), MergeRule.merge(earlierDelete, laterWrite));

        VersionedValue laterDelete = new VersionedValue(null, 3000, "b:1", base.nextRaft());
        assertTrue(MergeRule.merge(laterWrite, laterDelete).isTombstone());
        assertEquals(MergeRule.merge(laterWrite, laterDelete), MergeRule.merge(laterDelete, laterWrite));
        assertEquals(laterWrite.version().merge(laterDelete.version()), MergeRule.merge(laterWrite, laterDelete).version());

        // Same timestamp and origin: the tombstone sorts first, on every replica.
        VersionedValue tieWrite = new VersionedValue("x", 5000, "a:1", base.nextAt("a:1"));
        VersionedValue tieDelete = new VersionedValue(null, 5000, "a:1", base.nextAt("c:1"));
        assertEquals("x", MergeRule.merge(tieWrite, tieDelete).value());
        assertEquals("x", MergeRule.merge(tieDelete, tieWrite).value());
    }

    /**
     * Random histories: writes ordered by Raft (applied to the group's state, which learns some
     * hinted writes) and hinted writes made on replicas that each see some of the others' writes.
     * Every order of delivery, with duplicates, ends in the same value.
     */
    @Test
    void everyDeliveryOrderConverges() {
        String[] nodes = {"a:1", "b:1", "c:1"};
        for (int seed = 0; seed < 2_000; seed++) {
            Random random = new Random(seed);
            List<VersionedValue> writes = new ArrayList<>();
            // seenBy[i]: what replica i holds; the last slot is the group's Raft state.
            VersionedValue[] seenBy = new VersionedValue[nodes.length + 1];
            int raft = nodes.length;
            for (int w = 0; w < 8; w++) {
                int at = random.nextInt(nodes.length + 1);
                if (!writes.isEmpty() && random.nextBoolean()) {
                    seenBy[at] = MergeRule.merge(seenBy[at], writes.get(random.nextInt(writes.size())));
                }
                VersionedValue previous = seenBy[at];
                long now = 1_000 + random.nextInt(50);
                VersionVector base = previous == null ? VersionVector.EMPTY : previous.version();
                String origin = at == raft ? nodes[random.nextInt(nodes.length)] : nodes[at];
                // About one write in four is a delete: a tombstone merges like any value.
                VersionedValue write = new VersionedValue(random.nextInt(4) == 0 ? null : "v" + seed + "." + w,
                        VersionedValue.successorTimestamp(previous, now), origin,
                        at == raft ? base.nextRaft() : base.nextAt(nodes[at]));
                writes.add(write);
                seenBy[at] = MergeRule.merge(previous, write);
            }
            VersionedValue reference = applyAll(writes);
            for (int order = 0; order < 10; order++) {
                List<VersionedValue> shuffled = new ArrayList<>(writes);
                shuffled.addAll(writes.subList(0, random.nextInt(writes.size())));
                Collections.shuffle(shuffled, random);
                assertEquals(reference, applyAll(shuffled), "seed " + seed);
            }
        }
    }

    private static VersionedValue applyAll(List<VersionedValue> writes) {
        VersionedValue current = null;
        for (VersionedValue write : writes) {
            current = MergeRule.merge(current, write);
        }
        return current;
    }
}
