package io.kvs.raft.partition;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.MergeRule;
import io.kvs.core.causal.VersionedValue;
import io.kvs.core.key.KeySlots;
import io.kvs.raft.storage.ReplicaDb;
import io.kvs.raft.storage.StoreMemory;
import org.apache.ratis.server.protocol.TermIndex;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The replicated data of one partition, in the replica's RocksDB store ({@link StoreLayout}):
 * every key's value with its causal metadata, grouped by hash slot (a view change moves whole
 * slots), the tombstones of deleted keys until they are purged, how far the group has applied each node's hinted writes, which slots it has frozen or
 * given away, the ids of recent client writes, and the log index the store reflects.
 *
 * <p>Only the state machine's apply thread changes it: what one log entry does is gathered in a
 * batch and written at once with the entry's index ({@link #commit}), so the store always holds
 * the state after some whole entry. Other threads read it concurrently and see only committed
 * entries. The small records (slot counts, hint positions, slot states, recent write ids) are
 * mirrored in memory; values live in the store, and the apply thread keeps the committed values
 * of hot keys ({@link CommittedValueCache}). An entry's changes to the mirrors are staged
 * with its batch and published only once the batch is written: a reader that sees a hint marked
 * applied must find its values in the store, or it would serve an older value to a client that
 * has seen the hinted one.
 *
 * <p>One class, for all its length, because a store write and the mirrors' changes must be
 * staged and published together: split apart, each half could be seen without the other.
 */
final class PartitionStore implements AutoCloseable {
    static final int RECENT_WRITES = 100_000;
    /** The heap a replica's cache of hot keys' committed values may take. */
    private static final long VALUE_CACHE_BYTES = 4L << 20;

    private final ReplicaDb db;
    /** By slot: the records stored, tombstones included (a slot without any is skipped by an export). */
    private final AtomicLongArray slotCounts = new AtomicLongArray(KeySlots.SLOT_COUNT);
    /** By slot: the tombstones stored. */
    private final AtomicLongArray tombstoneCounts = new AtomicLongArray(KeySlots.SLOT_COUNT);
    private final ConcurrentHashMap<String, Long> appliedHints = new ConcurrentHashMap<>();
    /** Slots being moved away: no writes until the move completes. */
    private volatile BitSet frozen = new BitSet();
    /** Slots this group gave away: requests for them go to the new owner. */
    private volatile BitSet disowned = new BitSet();
    /** Ids of the latest client writes applied, oldest first: a second copy of one is ignored. */
    private RecentWriteIds recentWrites = new RecentWriteIds(RECENT_WRITES);
    /** The sequence number the next recent write id is stored under. */
    private long nextRecent;
    /** The recent write ids of the entry being applied, for sequences {@code nextRecent - stagedRecentCount} on. */
    private long[] stagedRecentIds = new long[256];
    private int stagedRecentCount;
    private volatile TermIndex applied;
    /** The log index of the entry being applied: recorded with each tombstone it writes. */
    private long entryIndex;

    /** What the entry being applied has done so far, written by {@link #commit}. */
    private final WriteBatch batch = new WriteBatch();
    private final EntryValues written = new EntryValues();
    /** Committed values of hot keys, for the apply thread's {@link #current}. */
    private final CommittedValueCache committed = new CommittedValueCache(VALUE_CACHE_BYTES);
    /** The entry's changes to the mirrored records, published by {@link #writePending}. */
    private final Map<String, Long> stagedHints = new HashMap<>();
    /** By slot, in key order: each slot's count record is written once per batch, whatever number of keys changed it. */
    private final Map<Integer, Long> stagedCounts = new TreeMap<>();
    private final Map<Integer, Long> stagedTombstones = new HashMap<>();
    private BitSet stagedFrozen;
    private BitSet stagedDisowned;

    /** What a write did: whether the key now holds a value where it held none (or a tombstone), and what it holds. */
    record WriteOutcome(boolean created, VersionedValue stored) {
    }

    private PartitionStore(ReplicaDb db) {
        this.db = db;
    }

    /** Opens the store in {@code dir} (an empty one if there is none), refusing one of another format. */
    static PartitionStore open(Path dir, StoreMemory memory) throws IOException {
        ReplicaDb db = ReplicaDb.open(dir, memory);
        PartitionStore store = new PartitionStore(db);
        try {
            store.load();
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** Replaces the whole content with the checkpoint in {@code dir} (a snapshot from the leader). */
    void replaceWith(Path dir) throws IOException {
        db.replaceWith(dir);
        load();
    }

    /** Writes a checkpoint of the committed content to {@code target}, which must not exist. */
    void checkpoint(Path target) throws IOException {
        db.checkpoint(target);
    }

    /** The last log entry the store reflects, null before the first. */
    TermIndex applied() {
        return applied;
    }

    /** Starts applying the log entry at {@code index}; what it writes is kept by {@link #commit}. */
    void startEntry(long index) {
        entryIndex = index;
    }

    /** A write ordered by Raft: it follows everything the group stored before it. A null value deletes. */
    WriteOutcome put(String key, String value, long nowMillis, String origin, CausalPayload deps) {
        VersionedValue current = current(key);
        return store(key, current, VersionedValue.orderedAfter(current, value, nowMillis, origin, deps));
    }

    /** A write with its own causal metadata (a hinted write, a migrated key): the merge rule decides. */
    WriteOutcome merge(String key, VersionedValue incoming) {
        VersionedValue current = current(key);
        return store(key, current, MergeRule.merge(current, incoming));
    }

    /**
     * A key moved here by a view change: merged like {@link #merge}, but a value for a key this
     * replica does not hold, most of a move, is stored as it came, without being decoded. A key
     * of a slot the committed store holds no record of (a slot a split gives a new group) is not
     * looked up: the slot's count says the store has nothing to merge with.
     */
    void importMoved(String key, EncodedValue incoming) {
        int slot = KeySlots.slotOf(key);
        byte[] dataKey = StoreLayout.dataKey(slot, key);
        VersionedValue pending = written.get(key);
        byte[] held = pending == null && slotCounts.get(slot) > 0 ? stored(dataKey) : null;
        if (pending == null && held == null && !incoming.isTombstone()) {
            batchPut(dataKey, StoreLayout.storedValue(incoming));
            written.put(key, incoming);
            stageCount(slot, 1);
            return;
        }
        VersionedValue current = pending != null ? pending : held == null ? null : StoreLayout.decodeValue(held);
        store(key, current, MergeRule.merge(current, incoming.decode()));
    }

    /** The committed value of {@code key} (a tombstone if it was deleted), or null; from any thread. */
    VersionedValue get(String key) {
        byte[] stored = stored(StoreLayout.dataKey(KeySlots.slotOf(key), key));
        return stored == null ? null : StoreLayout.decodeValue(stored);
    }

    /** The committed record under {@code dataKey}, or null. */
    private byte[] stored(byte[] dataKey) {
        try {
            return db.get(dataKey);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The value of {@code key} as the entry being applied left it; on the apply thread. */
    VersionedValue current(String key) {
        VersionedValue pending = written.get(key);
        if (pending != null) {
            return pending;
        }
        VersionedValue cached = committed.get(key);
        if (cached != null) {
            return cached;
        }
        VersionedValue stored = get(key);
        if (stored != null) {
            committed.put(key, stored);
        }
        return stored;
    }

    /** The keys that hold a value. */
    long size() {
        long total = 0;
        for (int slot = 0; slot < KeySlots.SLOT_COUNT; slot++) {
            total += slotCounts.get(slot) - tombstoneCounts.get(slot);
        }
        return total;
    }

    /** The tombstones not yet purged. */
    long tombstones() {
        long total = 0;
        for (int slot = 0; slot < KeySlots.SLOT_COUNT; slot++) {
            total += tombstoneCounts.get(slot);
        }
        return total;
    }

    /** The bytes the store takes: its table files and its write buffers. */
    long bytes() {
        return db.property("rocksdb.total-sst-files-size") + db.property("rocksdb.cur-size-all-mem-tables");
    }

    /**
     * Records a client write as applied; false if it already was (0 names no request). The set
     * is bounded: a copy arriving after {@value #RECENT_WRITES} later writes would apply again,
     * harmlessly as far as the merge rule goes.
     */
    boolean firstTimeApplied(long writeId) {
        if (writeId == 0) {
            return true;
        }
        if (!recentWrites.add(writeId)) {
            return false;
        }
        if (stagedRecentCount == stagedRecentIds.length) {
            stagedRecentIds = Arrays.copyOf(stagedRecentIds, 2 * stagedRecentCount);
        }
        stagedRecentIds[stagedRecentCount++] = writeId;
        nextRecent++;
        return true;
    }

    void markHintApplied(String node, long hintId) {
        long now = Math.max(hintId, stagedHints.getOrDefault(node, appliedHint(node)));
        stagedHints.put(node, now);
        batchPut(StoreLayout.hintKey(node), StoreLayout.longValue(now));
    }

    long appliedHint(String node) {
        return appliedHints.getOrDefault(node, 0L);
    }

    boolean isFrozen(int slot) {
        return frozen.get(slot);
    }

    boolean isDisowned(int slot) {
        return disowned.get(slot);
    }

    /** Stops writes to {@code slots} while they are copied to their new owner. */
    void freeze(BitSet slots) {
        BitSet next = (BitSet) frozenAsStaged().clone();
        next.or(slots);
        stagedFrozen = next;
        batchPut(StoreLayout.FROZEN_KEY, next.toByteArray());
    }

    /** Gives {@code slots} away for good: their keys are dropped (a range delete per run of slots). */
    void disown(BitSet slots) {
        BitSet next = (BitSet) disownedAsStaged().clone();
        next.or(slots);
        stagedDisowned = next;
        batchPut(StoreLayout.DISOWNED_KEY, next.toByteArray());
        committed.clear();
        for (int from = slots.nextSetBit(0); from >= 0; from = slots.nextSetBit(from)) {
            int to = slots.nextClearBit(from);
            batchDeleteRange(StoreLayout.slotStart(from), StoreLayout.slotStart(to));
            batchDeleteRange(StoreLayout.tombstoneSlotStart(from), StoreLayout.tombstoneSlotStart(to));
            for (int slot = from; slot < to; slot++) {
                stagedCounts.put(slot, 0L);
                stagedTombstones.put(slot, 0L);
            }
            written.removeSlots(slots);
            from = to;
        }
    }

    /**
     * Drops up to {@code maxKeys} tombstones, in key order, written at or before log index
     * {@code appliedEverywhere} with a timestamp before {@code deletedBeforeMillis}; the keys are
     * then absent. Slots being moved or given away keep theirs (an export pages through a frozen
     * slot and must see the same keys each time). Returns how many were dropped.
     */
    int purge(long appliedEverywhere, long deletedBeforeMillis, int maxKeys) {
        int[] purged = {0};
        scanPurgeable(appliedEverywhere, deletedBeforeMillis, frozenAsStaged(), disownedAsStaged(), (key, value) -> {
            if (purged[0] >= maxKeys) {
                return false;
            }
            int slot = StoreLayout.slotOfDataKey(key);
            batchDelete(key);
            batchDelete(StoreLayout.dataKeyOfTombstoneKey(key));
            committed.clear();
            stageCount(slot, -1);
            stageTombstones(slot, -1);
            purged[0]++;
            return true;
        });
        return purged[0];
    }

    /**
     * Whether a {@link #purge} with these bounds would drop a tombstone of the committed content;
     * from any thread, so that a leader proposes no purge that would drop nothing.
     */
    boolean hasPurgeable(long appliedEverywhere, long deletedBeforeMillis) {
        boolean[] found = {false};
        scanPurgeable(appliedEverywhere, deletedBeforeMillis, frozen, disowned, (key, value) -> {
            found[0] = true;
            return false;
        });
        return found[0];
    }

    /** Visits, in key order, the tombstone records a purge with these bounds drops, until the visitor stops. */
    private void scanPurgeable(long appliedEverywhere, long deletedBeforeMillis, BitSet frozenSlots,
                               BitSet disownedSlots, ReplicaDb.Visitor visitor) {
        try {
            db.scan(StoreLayout.tombstoneSlotStart(0), StoreLayout.tombstoneSlotStart(KeySlots.SLOT_COUNT), (key, value) -> {
                int slot = StoreLayout.slotOfDataKey(key);
                StoreLayout.TombstoneRecord record = StoreLayout.TombstoneRecord.decode(value);
                boolean kept = frozenSlots.get(slot) || disownedSlots.get(slot) || record.index() > appliedEverywhere
                        || record.timestampMillis() >= deletedBeforeMillis;
                return kept || visitor.visit(key, value);
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Owns {@code slots} again, should it have given them away before: they are neither frozen nor disowned. */
    void adopt(BitSet slots) {
        BitSet nextFrozen = (BitSet) frozenAsStaged().clone();
        nextFrozen.andNot(slots);
        stagedFrozen = nextFrozen;
        BitSet nextDisowned = (BitSet) disownedAsStaged().clone();
        nextDisowned.andNot(slots);
        stagedDisowned = nextDisowned;
        batchPut(StoreLayout.FROZEN_KEY, nextFrozen.toByteArray());
        batchPut(StoreLayout.DISOWNED_KEY, nextDisowned.toByteArray());
    }

    /**
     * Writes what the entry at {@code term}/{@code index} did, with its index, atomically. If the
     * write fails (a full disk) nothing of it is written and it is kept: call again to retry.
     */
    void commit(long term, long index) throws IOException {
        batchPut(StoreLayout.APPLIED_KEY, ByteBuffer.allocate(16).putLong(term).putLong(index).array());
        writePending();
        applied = TermIndex.valueOf(term, index);
    }

    /**
     * Writes what was gathered so far without marking an entry applied: for an import too large
     * for one batch, which counts as applied only at the {@link #commit} that ends it.
     */
    void writePending() throws IOException {
        batchStagedRecords();
        db.write(batch);
        batch.clear();
        written.publishTo(committed);
        written.clear();
        publishStaged();
    }

    /**
     * Adds the staged count and recent-write records to the batch, each kind in key order after
     * the values: RocksDB inserts a batch into its memtable in order, and a record next to the
     * one before it is found without a search from the top. A slot's count goes once, however
     * many of its keys changed; a count of 0 is no record. A recent write id that leaves the
     * window within this batch is never written.
     */
    private void batchStagedRecords() {
        stagedCounts.forEach((slot, count) -> {
            if (count == 0) {
                batchDelete(StoreLayout.countKey(slot));
            } else {
                batchPut(StoreLayout.countKey(slot), StoreLayout.longValue(count));
            }
        });
        long first = nextRecent - stagedRecentCount;
        long keptFrom = Math.max(first, nextRecent - RECENT_WRITES);
        for (long gone = Math.max(0, first - RECENT_WRITES); gone < Math.min(first, nextRecent - RECENT_WRITES); gone++) {
            batchDelete(StoreLayout.recentKey(gone));
        }
        for (long sequence = keptFrom; sequence < nextRecent; sequence++) {
            batchPut(StoreLayout.recentKey(sequence), StoreLayout.longValue(stagedRecentIds[(int) (sequence - first)]));
        }
        stagedRecentCount = 0;
    }

    /** The frozen slots as the entry being applied left them. */
    private BitSet frozenAsStaged() {
        return stagedFrozen != null ? stagedFrozen : frozen;
    }

    /** The given-away slots as the entry being applied left them. */
    private BitSet disownedAsStaged() {
        return stagedDisowned != null ? stagedDisowned : disowned;
    }

    /** Shows readers what the batch just written changed in the mirrored records. */
    private void publishStaged() {
        stagedCounts.forEach(slotCounts::set);
        stagedCounts.clear();
        stagedTombstones.forEach(tombstoneCounts::set);
        stagedTombstones.clear();
        appliedHints.putAll(stagedHints);
        stagedHints.clear();
        if (stagedFrozen != null) {
            frozen = stagedFrozen;
            stagedFrozen = null;
        }
        if (stagedDisowned != null) {
            disowned = stagedDisowned;
            stagedDisowned = null;
        }
    }

    /** Forgets what the entry being applied has done so far: the store is being replaced or reloaded. */
    private void discardStaged() {
        batch.clear();
        stagedRecentCount = 0;
        written.clear();
        stagedCounts.clear();
        stagedTombstones.clear();
        stagedHints.clear();
        stagedFrozen = null;
        stagedDisowned = null;
    }

    /** Opens the store again: RocksDB takes no writes after one failed until it is reopened. */
    void reopen() throws IOException {
        db.reopen();
    }

    /**
     * A page of the committed keys in {@code slots}, in (slot, key) order from {@code from}: at
     * least one key, and no more once {@code maxBytes} are reached. Read from the store in order,
     * one slot's range at a time; empty slots are skipped without a read.
     */
    ExportPage page(BitSet slots, ExportPage.Cursor from, int maxBytes) {
        List<PartitionCommand.MovedKey> page = new ArrayList<>();
        int[] bytes = {0};
        boolean[] full = {false};
        try {
            for (int slot = slots.nextSetBit(from.slot()); slot >= 0 && !full[0]; slot = slots.nextSetBit(slot + 1)) {
                if (slotCounts.get(slot) == 0) {
                    continue;
                }
                byte[] after = slot == from.slot() && !from.key().isEmpty() ? StoreLayout.dataKey(slot, from.key()) : null;
                byte[] start = after != null ? after : StoreLayout.slotStart(slot);
                db.scan(start, StoreLayout.slotStart(slot + 1), (key, value) -> {
                    if (after != null && Arrays.equals(key, after)) {
                        return true;
                    }
                    if (bytes[0] >= maxBytes && !page.isEmpty()) {
                        full[0] = true;
                        return false;
                    }
                    PartitionCommand.MovedKey moved = new PartitionCommand.MovedKey(StoreLayout.keyOfDataKey(key),
                            StoreLayout.encodedValue(value));
                    page.add(moved);
                    bytes[0] += PartitionCodec.sizeOf(moved);
                    return true;
                });
                if (full[0]) {
                    PartitionCommand.MovedKey last = page.get(page.size() - 1);
                    return new ExportPage(page, new ExportPage.Cursor(KeySlots.slotOf(last.key()), last.key()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ExportPage(page, null);
    }

    @Override
    public void close() {
        batch.close();
        db.close();
    }

    private WriteOutcome store(String key, VersionedValue current, VersionedValue next) {
        if (next == current) {
            return new WriteOutcome(false, current); // the merge rule kept what is stored
        }
        int slot = KeySlots.slotOf(key);
        batchPut(StoreLayout.dataKey(slot, key), StoreLayout.encodeValue(next));
        written.put(key, next);
        if (current == null) {
            stageCount(slot, 1);
        }
        boolean wasTombstone = current != null && current.isTombstone();
        if (next.isTombstone()) {
            batchPut(StoreLayout.tombstoneKey(slot, key),
                    new StoreLayout.TombstoneRecord(entryIndex, next.timestampMillis()).encode());
            if (!wasTombstone) {
                stageTombstones(slot, 1);
            }
        } else if (wasTombstone) {
            batchDelete(StoreLayout.tombstoneKey(slot, key));
            stageTombstones(slot, -1);
        }
        return new WriteOutcome(!VersionedValue.isLive(current) && VersionedValue.isLive(next), next);
    }

    private void stageCount(int slot, long change) {
        stagedCounts.put(slot, stagedCounts.getOrDefault(slot, slotCounts.get(slot)) + change);
    }

    /** The tombstone counts are not stored: they are counted again from the 't' records on open. */
    private void stageTombstones(int slot, long change) {
        stagedTombstones.put(slot, stagedTombstones.getOrDefault(slot, tombstoneCounts.get(slot)) + change);
    }

    private void batchPut(byte[] key, byte[] value) {
        try {
            batch.put(key, value);
        } catch (RocksDBException e) {
            throw new IllegalStateException("a write batch refused a record: " + e.getMessage(), e);
        }
    }

    private void batchDelete(byte[] key) {
        try {
            batch.delete(key);
        } catch (RocksDBException e) {
            throw new IllegalStateException("a write batch refused a delete: " + e.getMessage(), e);
        }
    }

    private void batchDeleteRange(byte[] from, byte[] to) {
        try {
            batch.deleteRange(from, to);
        } catch (RocksDBException e) {
            throw new IllegalStateException("a write batch refused a range delete: " + e.getMessage(), e);
        }
    }

    private void writeFormat() throws IOException {
        batchPut(StoreLayout.FORMAT_KEY, ByteBuffer.allocate(4).putInt(StoreLayout.FORMAT).array());
        db.write(batch);
        batch.clear();
    }

    /** Reads the store's small records into memory, checking its format first. */
    private void load() throws IOException {
        discardStaged();
        committed.clear();
        byte[] format = db.get(StoreLayout.FORMAT_KEY);
        byte[] appliedBytes = db.get(StoreLayout.APPLIED_KEY);
        if (format == null) {
            if (appliedBytes != null) {
                throw new IOException("a partition store without a format record: not written by kvs");
            }
            writeFormat();
        } else {
            int found = format.length == 4 ? ByteBuffer.wrap(format).getInt() : -1;
            if (found == StoreLayout.FORMAT_V1) {
                writeFormat(); // it holds no tombstone: it is a store of the current format as it is
            } else if (found != StoreLayout.FORMAT) {
                throw new IOException("a partition store of format " + (found < 0 ? "?" : found) + "; this node reads "
                        + "formats " + StoreLayout.FORMAT_V1 + " and " + StoreLayout.FORMAT);
            }
        }
        ByteBuffer appliedRecord = appliedBytes == null ? null : ByteBuffer.wrap(appliedBytes);
        applied = appliedRecord == null ? null : TermIndex.valueOf(appliedRecord.getLong(), appliedRecord.getLong());
        byte[] frozenBytes = db.get(StoreLayout.FROZEN_KEY);
        frozen = frozenBytes == null ? new BitSet() : BitSet.valueOf(frozenBytes);
        byte[] disownedBytes = db.get(StoreLayout.DISOWNED_KEY);
        disowned = disownedBytes == null ? new BitSet() : BitSet.valueOf(disownedBytes);
        for (int slot = 0; slot < KeySlots.SLOT_COUNT; slot++) {
            byte[] count = db.get(StoreLayout.countKey(slot));
            slotCounts.set(slot, count == null ? 0 : StoreLayout.longOf(count));
        }
        for (int slot = 0; slot < KeySlots.SLOT_COUNT; slot++) {
            tombstoneCounts.set(slot, 0);
        }
        db.scan(StoreLayout.tombstoneSlotStart(0), StoreLayout.tombstoneSlotStart(KeySlots.SLOT_COUNT), (key, value) -> {
            int slot = StoreLayout.slotOfDataKey(key);
            tombstoneCounts.set(slot, tombstoneCounts.get(slot) + 1);
            return true;
        });
        entryIndex = applied == null ? 0 : applied.getIndex();
        appliedHints.clear();
        db.scan(StoreLayout.hintStart(), StoreLayout.hintEnd(), (key, value) -> {
            appliedHints.put(StoreLayout.nodeOfHintKey(key), StoreLayout.longOf(value));
            return true;
        });
        RecentWriteIds recent = new RecentWriteIds(RECENT_WRITES);
        long[] next = {0};
        db.scan(StoreLayout.recentStart(), StoreLayout.recentEnd(), (key, value) -> {
            recent.add(StoreLayout.longOf(value));
            next[0] = StoreLayout.sequenceOfRecentKey(key) + 1;
            return true;
        });
        recentWrites = recent;
        nextRecent = next[0];
    }
}
