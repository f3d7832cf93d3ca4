package io.kvs.raft.partition;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.VersionVector;
import io.kvs.core.causal.VersionedValue;
import io.kvs.core.key.KeySlots;
import io.kvs.raft.storage.ReplicaDb;
import io.kvs.raft.storage.TestStoreMemory;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionStoreTest {

    @Test
    void raftWritesCreateThenUpdateAndAdvanceTheVector(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir)) {
            PartitionStore.WriteOutcome first = store.put("k", "v1", 1_000, "a:1", CausalPayload.empty());
            assertTrue(first.created());
            assertEquals(1, first.stored().version().raft());
            PartitionStore.WriteOutcome second = store.put("k", "v2", 500, "b:1", CausalPayload.empty());
            assertFalse(second.created(), "a second write of the key in the same entry follows the first");
            assertEquals(2, second.stored().version().raft());
            assertEquals(1_001, second.stored().timestampMillis(), "a later write never carries an earlier timestamp");
            store.commit(1, 1);
            assertEquals("v2", store.get("k").value());
            assertNull(store.get("other"));
            assertEquals(1, store.size());
        }
    }

    @Test
    void mergedWritesFollowTheMergeRule(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir)) {
            store.put("k", "raft", 1_000, "a:1", CausalPayload.empty());
            store.commit(1, 1);
            VersionedValue hinted = new VersionedValue("hint", 2_000, "b:1", VersionVector.of(0, Map.of("b:1", 1L)));
            PartitionStore.WriteOutcome merged = store.merge("k", hinted);
            assertFalse(merged.created());
            assertTrue(store.merge("new", hinted).created());
            store.commit(1, 2);
            assertEquals("hint", store.get("k").value(), "concurrent: the later timestamp wins");
            assertEquals(VersionVector.of(1, Map.of("b:1", 1L)), store.get("k").version());
        }
    }

    @Test
    void movedKeysAreStoredAsTheyCameOrMergedWithWhatTheStoreHolds(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir)) {
            store.put("held", "older", 1_000, "a:1", CausalPayload.empty());
            store.commit(1, 1);
            VersionedValue newer = new VersionedValue("newer", 5_000, "b:1", VersionVector.of(7, Map.of("b:1", 2L)),
                    CausalPayload.fromCompactText("e=2;g0=7;h0@b:1=2"));
            VersionedValue oldest = new VersionedValue("oldest", 10, "c:1", VersionVector.of(1, Map.of()));
            store.importMoved("fresh", EncodedValue.of(newer));
            store.importMoved("held", EncodedValue.of(newer));
            store.importMoved("twice", EncodedValue.of(newer));
            store.importMoved("twice", EncodedValue.of(oldest)); // the entry's own first value wins the merge
            store.importMoved("gone", EncodedValue.of(new VersionedValue(null, 6_000, "b:1", VersionVector.of(8, Map.of()))));
            store.commit(1, 2);
            assertEquals(newer, store.get("fresh"), "a key new here is stored exactly as it came");
            assertEquals(newer, store.get("held"), "a newer moved value replaces the held one");
            assertEquals(newer, store.get("twice"));
            assertTrue(store.get("gone").isTombstone());
            assertEquals(3, store.size(), "fresh, held and twice hold values");
            assertEquals(1, store.tombstones());
        }
        try (PartitionStore store = open(dir)) {
            assertEquals(3, store.size(), "the counts of moved keys are kept");
            assertEquals("newer", store.get("fresh").value());
        }
    }

    /**
     * An import looks a key up only in a slot the store holds records of: a tombstone counts as
     * one, also as counted again when the store is opened, so an older moved value never
     * replaces a delete.
     */
    @Test
    void aMovedValueOlderThanATombstoneIsNotStored(@TempDir Path dir) throws IOException {
        VersionedValue old = new VersionedValue("old", 10, "c:1", VersionVector.of(1, Map.of()));
        try (PartitionStore store = open(dir)) {
            store.put("deleted", "v", 1_000, "a:1", CausalPayload.empty());
            store.commit(1, 1);
            store.put("deleted", null, 2_000, "a:1", CausalPayload.empty());
            store.commit(1, 2);
            assertEquals(0, store.size());
        }
        try (PartitionStore store = open(dir)) {
            store.importMoved("deleted", EncodedValue.of(old));
            store.commit(1, 3);
            assertTrue(store.get("deleted").isTombstone(), "the delete is newer than the moved value");
            assertEquals(0, store.size());
        }
    }

    @Test
    void anEntryIsSeenByOtherReadersOnlyOnceCommitted(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir)) {
            store.put("k", "v", 1, "a:1", CausalPayload.empty());
            assertNull(store.get("k"), "not committed yet");
            assertEquals("v", store.current("k").value(), "the entry being applied sees its own write");
            assertNull(store.applied());
            store.commit(2, 7);
            assertEquals("v", store.get("k").value());
            assertEquals(TermIndex.valueOf(2, 7), store.applied());
        }
    }

    @Test
    void hintPositionsSlotStatesAndCountsAreSeenOnlyWithTheEntrysValues(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir)) {
            VersionedValue hinted = new VersionedValue("hint", 2_000, "b:1", VersionVector.of(0, Map.of("b:1", 1L)));
            store.merge("k", hinted);
            store.markHintApplied("b:1", 5);
            BitSet slot = new BitSet();
            slot.set(KeySlots.slotOf("k") + 1);
            store.freeze(slot);
            assertEquals(0, store.appliedHint("b:1"), "a reader that sees the hint applied must find its value");
            assertFalse(store.isFrozen(slot.nextSetBit(0)));
            assertEquals(0, store.size());
            store.commit(1, 1);
            assertEquals(5, store.appliedHint("b:1"));
            assertEquals("hint", store.get("k").value());
            assertTrue(store.isFrozen(slot.nextSetBit(0)));
            assertEquals(1, store.size());

            store.disown(slot);
            store.markHintApplied("b:1", 3);
            store.commit(1, 2);
            assertTrue(store.isDisowned(slot.nextSetBit(0)));
            assertEquals(5, store.appliedHint("b:1"), "a hint position never goes back");
        }
    }

    @Test
    void reopeningKeepsEverythingCommitted(@TempDir Path dir) throws IOException {
        Random random = new Random(11);
        Map<String, VersionedValue> expected = new HashMap<>();
        BitSet frozen = new BitSet();
        frozen.set(5);
        BitSet disowned = new BitSet();
        disowned.set(9);
        try (PartitionStore store = open(dir)) {
            for (int i = 0; i < 5_000; i++) {
                String key = "key" + random.nextInt(3_000);
                expected.put(key, store.put(key, "value" + i + "é".repeat(random.nextInt(3)), 1_000 + i, "n:" + (i % 3),
                        CausalPayload.empty()).stored());
                if (i % 10 == 9) {
                    store.commit(1, i);
                }
            }
            store.markHintApplied("x:1", 3);
            for (long writeId = 1; writeId <= PartitionStore.RECENT_WRITES + 10; writeId++) {
                assertTrue(store.firstTimeApplied(writeId));
            }
            assertFalse(store.firstTimeApplied(PartitionStore.RECENT_WRITES + 10), "a copy of a recent write");
            store.freeze(frozen);
            store.commit(1, 6_000);
            store.put("lost", "never committed", 1, "z:1", CausalPayload.empty());
        }
        expected.keySet().removeIf(key -> disowned.get(KeySlots.slotOf(key)));
        try (PartitionStore store = open(dir)) {
            store.disown(disowned);
            store.commit(1, 6_001);
        }

        try (PartitionStore copy = open(dir)) {
            assertEquals(TermIndex.valueOf(1, 6_001), copy.applied());
            assertEquals(expected.size(), copy.size());
            expected.forEach((key, value) -> assertEquals(value, copy.get(key), key));
            assertNull(copy.get("lost"), "a write of an entry never committed");
            assertEquals(3, copy.appliedHint("x:1"));
            assertTrue(copy.isFrozen(5));
            assertFalse(copy.isFrozen(9));
            assertTrue(copy.isDisowned(9));
            assertFalse(copy.firstTimeApplied(PartitionStore.RECENT_WRITES + 10), "recent writes are kept");
            assertFalse(copy.firstTimeApplied(11), "the oldest recent write");
            assertTrue(copy.firstTimeApplied(10), "forgotten when later writes filled the set");
            assertTrue(copy.firstTimeApplied(0), "0 names no write");
        }
    }

    @Test
    void theCountAndRecentWriteRecordsOfEachBatchMatchWhatItWrote(@TempDir Path dir) throws IOException {
        Random random = new Random(20261205);
        Map<String, Boolean> live = new HashMap<>();
        long writeId = 0;
        try (PartitionStore store = open(dir)) {
            for (int entry = 1; entry <= 40; entry++) {
                store.startEntry(entry);
                if (entry % 10 == 0) { // a purge is an entry of its own; the slots it empties lose their count record
                    store.purge(Long.MAX_VALUE, Long.MAX_VALUE, 50);
                    store.commit(1, entry);
                    continue;
                }
                for (int i = random.nextInt(300); i > 0; i--) {
                    String key = "k" + random.nextInt(2_000);
                    boolean delete = random.nextInt(4) == 0;
                    store.put(key, delete ? null : "v", entry, "a:1", CausalPayload.empty());
                    live.put(key, !delete);
                }
                // Some entries carry more ids than the window holds: those leaving it within the batch are never written.
                int ids = entry % 13 == 0 ? PartitionStore.RECENT_WRITES + random.nextInt(1_000) : random.nextInt(5_000);
                for (int i = 0; i < ids; i++) {
                    assertTrue(store.firstTimeApplied(++writeId));
                }
                store.commit(1, entry);
            }
        }
        long expectedLive = live.values().stream().filter(isLive -> isLive).count();
        try (ReplicaDb db = ReplicaDb.open(dir, TestStoreMemory.SHARED)) {
            long[] recent = {0, Long.MAX_VALUE};
            db.scan(StoreLayout.recentStart(), StoreLayout.recentEnd(), (key, value) -> {
                recent[0]++;
                recent[1] = Math.min(recent[1], StoreLayout.longOf(value));
                return true;
            });
            assertEquals(PartitionStore.RECENT_WRITES, recent[0], "exactly the window's ids are stored");
            assertEquals(writeId - PartitionStore.RECENT_WRITES + 1, recent[1], "the oldest id stored");
            long[] dataRecords = new long[KeySlots.SLOT_COUNT];
            db.scan(StoreLayout.slotStart(0), StoreLayout.slotStart(KeySlots.SLOT_COUNT), (key, value) -> {
                dataRecords[StoreLayout.slotOfDataKey(key)]++;
                return true;
            });
            for (int slot = 0; slot < KeySlots.SLOT_COUNT; slot++) {
                byte[] count = db.get(StoreLayout.countKey(slot));
                assertEquals(dataRecords[slot], count == null ? 0 : StoreLayout.longOf(count), "slot " + slot);
            }
        }
        try (PartitionStore copy = open(dir)) {
            assertEquals(expectedLive, copy.size());
            assertFalse(copy.firstTimeApplied(writeId - PartitionStore.RECENT_WRITES + 1), "the oldest recent write");
            assertTrue(copy.firstTimeApplied(writeId - PartitionStore.RECENT_WRITES), "forgotten");
        }
    }

    @Test
    void aCheckpointReplacesTheContentAsItWas(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir.resolve("db"))) {
            for (int i = 0; i < 1_000; i++) {
                store.put("key" + i, "before" + i, i, "a:1", CausalPayload.empty());
            }
            store.commit(1, 10);
            store.checkpoint(dir.resolve("checkpoint"));
            for (int i = 0; i < 1_500; i++) {
                store.put("key" + i, "after" + i, i, "a:1", CausalPayload.empty());
            }
            store.markHintApplied("b:1", 4);
            store.commit(2, 20);
            assertEquals(1_500, store.size());

            store.replaceWith(dir.resolve("checkpoint"));
            assertEquals(TermIndex.valueOf(1, 10), store.applied());
            assertEquals(1_000, store.size());
            assertEquals("before7", store.get("key7").value());
            assertNull(store.get("key1200"));
            assertEquals(0, store.appliedHint("b:1"));
            assertTrue(Files.isDirectory(dir.resolve("checkpoint")), "the checkpoint is left as it was");
        }
    }

    @Test
    void aDeleteLeavesATombstoneThatCountsAsNoKeyAndIsKeptAcrossAReopen(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir)) {
            store.put("k", "v", 1_000, "a:1", CausalPayload.empty());
            store.put("j", "v", 1_000, "a:1", CausalPayload.empty());
            store.commit(1, 1);
            store.startEntry(2);
            PartitionStore.WriteOutcome deleted = store.put("k", null, 900, "a:1", CausalPayload.empty());
            assertFalse(deleted.created());
            assertTrue(deleted.stored().isTombstone());
            assertEquals(1_001, deleted.stored().timestampMillis());
            store.commit(1, 2);
            assertTrue(store.get("k").isTombstone());
            assertEquals(1, store.size());
            assertEquals(1, store.tombstones());
        }
        try (PartitionStore store = open(dir)) {
            assertEquals(1, store.size());
            assertEquals(1, store.tombstones(), "tombstones are counted again on open");
            store.startEntry(3);
            assertTrue(store.put("k", "again", 2_000, "a:1", CausalPayload.empty()).created(),
                    "a write after a delete creates the key again");
            store.commit(1, 3);
            assertEquals(2, store.size());
            assertEquals(0, store.tombstones());
            assertEquals(0, store.purge(Long.MAX_VALUE, Long.MAX_VALUE, 100), "a revived key has no tombstone to purge");
            assertEquals("again", store.get("k").value());
        }
    }

    @Test
    void aPurgeDropsOnlyTombstonesEveryReplicaHasAndOlderThanTheGrace(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir)) {
            for (int i = 0; i < 10; i++) {
                store.put("k" + i, "v", 1_000, "a:1", CausalPayload.empty());
            }
            store.commit(1, 1);
            store.startEntry(2);
            store.put("k0", null, 2_000, "a:1", CausalPayload.empty());
            store.put("k1", null, 2_000, "a:1", CausalPayload.empty());
            store.commit(1, 2);
            store.startEntry(3);
            store.put("k2", null, 5_000, "a:1", CausalPayload.empty());
            store.commit(1, 3);
            store.startEntry(4);
            store.merge("k3", new VersionedValue(null, 3_000, "b:1", VersionVector.of(9, Map.of())));
            store.commit(1, 4);
            BitSet moving = new BitSet();
            moving.set(KeySlots.slotOf("k1"));
            store.freeze(moving);
            store.commit(1, 5);
            assertEquals(4, store.tombstones());

            assertFalse(store.hasPurgeable(1, Long.MAX_VALUE), "no tombstone is written at or before index 1");
            assertTrue(store.hasPurgeable(3, 4_000));
            assertEquals(0, store.purge(1, Long.MAX_VALUE, 100), "no tombstone is written at or before index 1");
            store.commit(1, 6);
            assertEquals(1, store.purge(3, 4_000, 100), "k0 only: k1's slot is moving, k2 is too recent, k3 too late in the log");
            store.commit(1, 7);
            assertNull(store.get("k0"));
            assertTrue(store.get("k1").isTombstone());
            assertEquals(3, store.tombstones());
            assertEquals(6, store.size());
            assertEquals(1, store.purge(Long.MAX_VALUE, Long.MAX_VALUE, 1), "at most the given number");
            store.commit(1, 8);
            assertEquals(1, store.purge(Long.MAX_VALUE, Long.MAX_VALUE, 100));
            store.commit(1, 9);
            assertEquals(1, store.tombstones(), "the moving slot's tombstone is kept");
            assertFalse(store.hasPurgeable(Long.MAX_VALUE, Long.MAX_VALUE), "nothing left that a purge would drop");
            assertEquals(6, store.size());
        }
    }

    @Test
    void givingSlotsAwayDropsTheirTombstones(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir)) {
            store.put("k", "v", 1_000, "a:1", CausalPayload.empty());
            store.commit(1, 1);
            store.startEntry(2);
            store.put("k", null, 1_000, "a:1", CausalPayload.empty());
            store.commit(1, 2);
            BitSet gone = new BitSet();
            gone.set(KeySlots.slotOf("k"));
            assertEquals(1, store.page(gone, new ExportPage.Cursor(0, ""), 1_000).keys().size(),
                    "a tombstone moves with its slot");
            store.disown(gone);
            store.commit(1, 3);
            assertEquals(0, store.tombstones());
            assertEquals(0, store.size());
            assertNull(store.get("k"));
        }
    }

    @Test
    void aStoreOfTheFormatBeforeDeletesIsTakenAsItIs(@TempDir Path dir) throws Exception {
        try (PartitionStore store = open(dir)) {
            store.put("k", "v", 1_000, "a:1", CausalPayload.empty());
            store.commit(1, 1);
        }
        try (ReplicaDb db = ReplicaDb.open(dir, TestStoreMemory.SHARED); WriteBatch batch = new WriteBatch()) {
            batch.put(StoreLayout.FORMAT_KEY, ByteBuffer.allocate(4).putInt(StoreLayout.FORMAT_V1).array());
            byte[] value = StoreLayout.encodeValue(new VersionedValue("old", 5, "a:1", VersionVector.of(1, Map.of())));
            value[0] = StoreLayout.VALUE_FORMAT_V1;
            batch.put(StoreLayout.dataKey(KeySlots.slotOf("k"), "k"), value);
            db.write(batch);
        }
        try (PartitionStore store = open(dir)) {
            assertEquals("old", store.get("k").value());
            assertEquals(1, store.size());
        }
        try (ReplicaDb db = ReplicaDb.open(dir, TestStoreMemory.SHARED)) {
            assertEquals(StoreLayout.FORMAT, ByteBuffer.wrap(db.get(StoreLayout.FORMAT_KEY)).getInt());
        }
    }

    @Test
    void givingSlotsAwayDropsTheirKeysAndCounts(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir)) {
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                keys.add("k" + i);
                store.put("k" + i, "v", 1, "a:1", CausalPayload.empty());
            }
            store.commit(1, 1);
            BitSet gone = new BitSet();
            gone.set(0, KeySlots.SLOT_COUNT / 2);
            gone.set(3_000);
            store.disown(gone);
            store.commit(1, 2);
            long kept = keys.stream().filter(k -> !gone.get(KeySlots.slotOf(k))).count();
            assertEquals(kept, store.size());
            for (String key : keys) {
                assertEquals(gone.get(KeySlots.slotOf(key)), store.get(key) == null, key);
            }
        }
    }

    @Test
    void pagesGiveEveryKeyOfTheSlotsOnceInSlotOrder(@TempDir Path dir) throws IOException {
        try (PartitionStore store = open(dir)) {
            Random random = new Random(5);
            BitSet slots = new BitSet();
            List<String> wanted = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                String key = "key" + i;
                store.put(key, "x".repeat(random.nextInt(200)), 1, "a:1", CausalPayload.empty());
                if (KeySlots.slotOf(key) % 3 == 0) {
                    slots.set(KeySlots.slotOf(key));
                    wanted.add(key);
                }
            }
            store.commit(1, 1);
            List<String> seen = new ArrayList<>();
            ExportPage.Cursor cursor = new ExportPage.Cursor(0, "");
            int pages = 0;
            while (cursor != null) {
                ExportPage page = store.page(slots, cursor, 2_000);
                assertFalse(page.keys().isEmpty());
                page.keys().forEach(moved -> seen.add(moved.key()));
                cursor = page.next();
                pages++;
            }
            assertTrue(pages > 10, pages + " pages");
            assertEquals(wanted.size(), seen.size(), "every key once");
            assertEquals(new java.util.HashSet<>(wanted), new java.util.HashSet<>(seen));
            for (int i = 1; i < seen.size(); i++) {
                assertTrue(KeySlots.slotOf(seen.get(i - 1)) <= KeySlots.slotOf(seen.get(i)), "in slot order");
            }
        }
    }

    @Test
    void aStoreOfAnotherFormatIsRefusedNotMisread(@TempDir Path dir) throws Exception {
        open(dir).close();
        try (ReplicaDb db = ReplicaDb.open(dir, TestStoreMemory.SHARED); WriteBatch batch = new WriteBatch()) {
            batch.put(StoreLayout.FORMAT_KEY, ByteBuffer.allocate(4).putInt(99).array());
            db.write(batch);
        }
        IOException refused = assertThrows(IOException.class, () -> open(dir));
        assertTrue(refused.getMessage().contains("format 99"), refused.getMessage());
    }

    @Test
    void aSnapshotOfTheEarlierInMemoryStoreIsImported(@TempDir Path dir) throws IOException {
        VersionedValue value = new VersionedValue("old", 7, "x:1", VersionVector.of(2, Map.of("x:1", 3L)));
        Path legacy = dir.resolve("snapshot.3_40");
        BitSet frozen = new BitSet();
        frozen.set(12);
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(legacy))) {
            out.writeInt(LegacySnapshot.FORMAT);
            BinaryFormat.writeBits(out, frozen);
            BinaryFormat.writeBits(out, new BitSet());
            out.writeInt(1);
            out.writeUTF("x:1");
            out.writeLong(3);
            out.writeInt(2);
            out.writeLong(77);
            out.writeLong(78);
            out.writeInt(25_000);
            for (int i = 0; i < 25_000; i++) {
                out.writeUTF("key" + i);
                PartitionCodec.writeValue(out, value);
            }
        }
        try (PartitionStore store = open(dir.resolve("db"))) {
            LegacySnapshot.importInto(store, legacy, TermIndex.valueOf(3, 40));
            assertEquals(TermIndex.valueOf(3, 40), store.applied());
            assertEquals(25_000, store.size());
            assertEquals(value, store.get("key24999"));
            assertEquals(3, store.appliedHint("x:1"));
            assertTrue(store.isFrozen(12));
            assertFalse(store.firstTimeApplied(78), "its recent writes are kept");
        }

        Path future = dir.resolve("snapshot.3_41");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(future))) {
            out.writeInt(3);
        }
        try (PartitionStore store = open(dir.resolve("db2"))) {
            IOException refused = assertThrows(IOException.class,
                    () -> LegacySnapshot.importInto(store, future, TermIndex.valueOf(3, 41)));
            assertTrue(refused.getMessage().contains("format 3"), refused.getMessage());
            assertNull(store.applied(), "nothing imported");
        }
    }

    /**
     * Writes, deletes, merges, imports, slots given away and adopted again, purges, reopens and
     * installed checkpoints, at random: after every entry, what the apply thread takes as a key's
     * current value (its cache of committed values first) is what the store holds.
     */
    @Test
    void theApplyThreadsCachedValuesAlwaysAgreeWithTheStore(@TempDir Path dir) throws IOException {
        for (int seed = 0; seed < 12; seed++) {
            Path storeDir = dir.resolve("store-" + seed);
            Random random = new Random(seed);
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                keys.add("key" + i);
            }
            long index = 0;
            long clock = 1_000;
            PartitionStore store = open(storeDir);
            Path saved = null;
            try {
                for (int step = 0; step < 300; step++) {
                    index++;
                    clock += random.nextInt(50);
                    store.startEntry(index);
                    // A slot given away or adopted, or a purge, is an entry of its own, as in the log.
                    int bulk = random.nextInt(40);
                    int writes = bulk < 3 ? 0 : 1 + random.nextInt(4);
                    for (int w = 0; w < writes; w++) {
                        String key = keys.get(random.nextInt(keys.size()));
                        int slot = KeySlots.slotOf(key);
                        if (store.isDisowned(slot)) {
                            continue;
                        }
                        int action = random.nextInt(10);
                        String value = random.nextInt(20) == 0 ? "x".repeat(CommittedValueCache.MAX_VALUE_CHARS + 1)
                                : "v" + step + "_" + w;
                        if (action < 5) {
                            store.put(key, value, clock, "a:1", CausalPayload.empty());
                        } else if (action < 6) {
                            store.put(key, null, clock, "a:1", CausalPayload.empty());
                        } else if (action < 8) {
                            long counter = random.nextInt(1_000);
                            store.merge(key, new VersionedValue(random.nextBoolean() ? value : null, clock - random.nextInt(100),
                                    "b:1", VersionVector.of(random.nextInt((int) index + 1), Map.of("b:1", counter))));
                        } else {
                            store.importMoved(key, EncodedValue.of(new VersionedValue(value, clock - random.nextInt(100),
                                    "c:1", VersionVector.of(random.nextInt((int) index + 1), Map.of("c:1", 1L)))));
                        }
                    }
                    if (bulk == 0) {
                        BitSet slots = new BitSet();
                        slots.set(KeySlots.slotOf(keys.get(random.nextInt(keys.size()))));
                        store.disown(slots);
                    } else if (bulk == 1) {
                        BitSet slots = new BitSet();
                        keys.forEach(key -> slots.set(KeySlots.slotOf(key)));
                        store.adopt(slots);
                    } else if (bulk == 2) {
                        store.purge(index, clock, 1 + random.nextInt(5));
                    }
                    store.commit(1, index);
                    int restart = random.nextInt(60);
                    if (restart == 0) {
                        store.close();
                        store = open(storeDir);
                    } else if (restart < 4 && saved == null) {
                        saved = dir.resolve("checkpoint-" + seed + "-" + step);
                        store.checkpoint(saved);
                    } else if (restart < 4) {
                        store.replaceWith(saved); // a snapshot of an earlier state, installed
                        saved = null;
                    }
                    for (String key : keys) {
                        assertEquals(store.get(key), store.current(key), "seed " + seed + ", step " + step + ", " + key);
                    }
                }
            } finally {
                store.close();
            }
        }
    }

    private static PartitionStore open(Path dir) throws IOException {
        return PartitionStore.open(dir, TestStoreMemory.SHARED);
    }
}
