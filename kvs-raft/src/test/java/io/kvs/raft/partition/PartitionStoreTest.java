package io.kvs.raft.partition;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.VersionVector;
import io.kvs.core.causal.VersionedValue;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionStoreTest {

    @Test
    void raftWritesCreateThenUpdateAndAdvanceTheVector() {
        PartitionStore store = new PartitionStore();
        PartitionStore.WriteOutcome first = store.put("k", "v1", 1_000, "a:1", CausalPayload.empty());
        assertTrue(first.created());
        assertEquals(1, first.stored().version().raft());
        PartitionStore.WriteOutcome second = store.put("k", "v2", 500, "b:1", CausalPayload.empty());
        assertFalse(second.created());
        assertEquals(2, second.stored().version().raft());
        assertEquals(1_001, second.stored().timestampMillis(), "a later write never carries an earlier timestamp");
        assertEquals("v2", store.get("k").value());
        assertNull(store.get("other"));
    }

    @Test
    void mergedWritesFollowTheMergeRule() {
        PartitionStore store = new PartitionStore();
        store.put("k", "raft", 1_000, "a:1", CausalPayload.empty());
        VersionedValue hinted = new VersionedValue("hint", 2_000, "b:1",
                VersionVector.of(0, Map.of("b:1", 1L)));
        PartitionStore.WriteOutcome merged = store.merge("k", hinted);
        assertFalse(merged.created());
        assertEquals("hint", store.get("k").value(), "concurrent: the later timestamp wins");
        assertEquals(VersionVector.of(1, Map.of("b:1", 1L)), store.get("k").version());
        assertTrue(store.merge("new", hinted).created());
    }

    @Test
    void snapshotRoundTripKeepsEverything() throws IOException {
        Random random = new Random(11);
        PartitionStore store = new PartitionStore();
        for (int i = 0; i < 5_000; i++) {
            store.put("key" + random.nextInt(3_000), "value" + i + "é".repeat(random.nextInt(3)), 1_000 + i, "n:" + (i % 3), CausalPayload.empty());
        }
        store.merge("hinted", new VersionedValue("h", 7, "x:1", VersionVector.of(2, Map.of("x:1", 3L))));
        store.markHintApplied("x:1", 3);
        for (long writeId = 1; writeId <= PartitionStore.RECENT_WRITES + 10; writeId++) {
            assertTrue(store.firstTimeApplied(writeId));
        }
        assertFalse(store.firstTimeApplied(PartitionStore.RECENT_WRITES + 10), "a copy of a recent write");

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        store.writeTo(new DataOutputStream(bytes));
        PartitionStore copy = new PartitionStore();
        copy.put("stale", "gone after load", 1, "z:1", CausalPayload.empty());
        copy.firstTimeApplied(-5);
        copy.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertEquals(store.size(), copy.size());
        assertNull(copy.get("stale"));
        for (int i = 0; i < 3_000; i++) {
            assertEquals(store.get("key" + i), copy.get("key" + i));
        }
        assertEquals(store.get("hinted"), copy.get("hinted"));
        assertEquals(3, copy.appliedHint("x:1"));
        assertFalse(copy.firstTimeApplied(PartitionStore.RECENT_WRITES + 10), "recent writes are in the snapshot");
        assertFalse(copy.firstTimeApplied(11), "the oldest recent write");
        assertTrue(copy.firstTimeApplied(10), "forgotten before the snapshot");
        assertTrue(copy.firstTimeApplied(-5), "what the copy held before the load is gone");
        assertTrue(copy.firstTimeApplied(0), "0 names no write");
    }
}
