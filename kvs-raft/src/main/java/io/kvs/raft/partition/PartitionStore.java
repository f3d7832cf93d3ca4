package io.kvs.raft.partition;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.MergeRule;
import io.kvs.core.causal.VersionedValue;
import io.kvs.core.key.KeySlots;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicated data of one partition: every key's value with its causal metadata, grouped by
 * hash slot (a view change moves whole slots), how far the group has applied each node's hinted
 * writes, and which slots it has frozen or given away.
 *
 * <p>Only the state machine's apply thread changes it; queries read it concurrently, which the
 * concurrent maps and the volatile slot sets make safe.
 */
final class PartitionStore {
    private static final int FORMAT = 2;

    /** bySlot[s]: the keys of slot s; created on first use. */
    private final ConcurrentHashMap<Integer, ConcurrentHashMap<String, VersionedValue>> bySlot = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> appliedHints = new ConcurrentHashMap<>();
    /** Slots being moved away: no writes until the move completes. */
    private volatile BitSet frozen = new BitSet();
    /** Slots this group gave away: requests for them go to the new owner. */
    private volatile BitSet disowned = new BitSet();
    /** Ids of the latest client writes applied, oldest first: a second copy of one is ignored. */
    private final RecentWriteIds recentWrites = new RecentWriteIds(RECENT_WRITES);
    static final int RECENT_WRITES = 100_000;

    /** What a write did: whether the key is new and the value now stored. */
    record WriteOutcome(boolean created, VersionedValue stored) {
    }

    /** A write ordered by Raft: it follows everything the group stored before it. */
    WriteOutcome put(String key, String value, long nowMillis, String origin, CausalPayload deps) {
        Map<String, VersionedValue> slot = slot(key);
        VersionedValue current = slot.get(key);
        VersionedValue next = VersionedValue.orderedAfter(current, value, nowMillis, origin, deps);
        slot.put(key, next);
        return new WriteOutcome(current == null, next);
    }

    /** A write with its own causal metadata (a hinted write, a migrated key): the merge rule decides. */
    WriteOutcome merge(String key, VersionedValue incoming) {
        Map<String, VersionedValue> slot = slot(key);
        VersionedValue current = slot.get(key);
        VersionedValue next = MergeRule.merge(current, incoming);
        slot.put(key, next);
        return new WriteOutcome(current == null, next);
    }

    VersionedValue get(String key) {
        Map<String, VersionedValue> slot = bySlot.get(KeySlots.slotOf(key));
        return slot == null ? null : slot.get(key);
    }

    int size() {
        return bySlot.values().stream().mapToInt(Map::size).sum();
    }

    /** The keys of {@code slot}. */
    List<PartitionCommand.MovedKey> keysOf(int slot) {
        Map<String, VersionedValue> keys = bySlot.get(slot);
        List<PartitionCommand.MovedKey> entries = new ArrayList<>();
        if (keys != null) {
            keys.forEach((k, v) -> entries.add(new PartitionCommand.MovedKey(k, v)));
        }
        return entries;
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
        return recentWrites.add(writeId);
    }

    void markHintApplied(String node, long hintId) {
        appliedHints.merge(node, hintId, Math::max);
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
        BitSet next = (BitSet) frozen.clone();
        next.or(slots);
        frozen = next;
    }

    /** Gives {@code slots} away for good: their keys are dropped and requests for them refused. */
    void disown(BitSet slots) {
        BitSet next = (BitSet) disowned.clone();
        next.or(slots);
        disowned = next;
        slots.stream().forEach(bySlot::remove);
    }

    /** Owns {@code slots} again, should it have given them away before: they are neither frozen nor disowned. */
    void adopt(BitSet slots) {
        BitSet nextFrozen = (BitSet) frozen.clone();
        nextFrozen.andNot(slots);
        frozen = nextFrozen;
        BitSet nextDisowned = (BitSet) disowned.clone();
        nextDisowned.andNot(slots);
        disowned = nextDisowned;
    }

    void clear() {
        bySlot.clear();
        appliedHints.clear();
        frozen = new BitSet();
        disowned = new BitSet();
        recentWrites.clear();
    }

    void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(FORMAT);
        BinaryFormat.writeBits(out, frozen);
        BinaryFormat.writeBits(out, disowned);
        out.writeInt(appliedHints.size());
        for (Map.Entry<String, Long> hint : appliedHints.entrySet()) {
            out.writeUTF(hint.getKey());
            out.writeLong(hint.getValue());
        }
        recentWrites.writeTo(out);
        out.writeInt(size());
        for (Map<String, VersionedValue> slot : bySlot.values()) {
            for (Map.Entry<String, VersionedValue> entry : slot.entrySet()) {
                out.writeUTF(entry.getKey());
                PartitionCodec.writeValue(out, entry.getValue());
            }
        }
    }

    /** Replaces this store's contents with a snapshot written by {@link #writeTo}. */
    void readFrom(DataInputStream in) throws IOException {
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("unknown partition snapshot format " + format);
        }
        clear();
        frozen = BinaryFormat.readBits(in);
        disowned = BinaryFormat.readBits(in);
        int hints = in.readInt();
        for (int i = 0; i < hints; i++) {
            appliedHints.put(in.readUTF(), in.readLong());
        }
        recentWrites.readFrom(in);
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            String key = in.readUTF();
            slot(key).put(key, PartitionCodec.readValue(in));
        }
    }

    private Map<String, VersionedValue> slot(String key) {
        return bySlot.computeIfAbsent(KeySlots.slotOf(key), s -> new ConcurrentHashMap<>());
    }

}
