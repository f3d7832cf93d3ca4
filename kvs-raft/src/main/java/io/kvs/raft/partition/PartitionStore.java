package io.kvs.raft.partition;

import io.kvs.core.causal.MergeRule;
import io.kvs.core.causal.VersionVector;
import io.kvs.core.causal.VersionedValue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.BitSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicated data of one partition: every key's value with its causal metadata, how far the
 * group has applied each node's hinted writes, and which slots it has frozen or given away.
 *
 * <p>Only the state machine's apply thread changes it; queries read it concurrently, which the
 * concurrent maps and the volatile slot sets make safe.
 */
final class PartitionStore {
    private static final int FORMAT = 1;

    private final ConcurrentHashMap<String, VersionedValue> values = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> appliedHints = new ConcurrentHashMap<>();
    /** Slots being moved away: no writes until the move completes. */
    private volatile BitSet frozen = new BitSet();
    /** Slots this group gave away: requests for them go to the new owner. */
    private volatile BitSet disowned = new BitSet();

    /** What a write did: whether the key is new and the value now stored. */
    record WriteOutcome(boolean created, VersionedValue stored) {
    }

    /** A write ordered by Raft: it follows everything the group stored before it. */
    WriteOutcome put(String key, String value, long nowMillis, String origin) {
        VersionedValue current = values.get(key);
        VersionVector base = current == null ? VersionVector.EMPTY : current.version();
        VersionedValue next = new VersionedValue(value, VersionedValue.successorTimestamp(current, nowMillis),
                origin, base.nextRaft());
        values.put(key, next);
        return new WriteOutcome(current == null, next);
    }

    /** A write with its own causal metadata (a hinted write, a migrated key): the merge rule decides. */
    WriteOutcome merge(String key, VersionedValue incoming) {
        VersionedValue current = values.get(key);
        VersionedValue next = MergeRule.merge(current, incoming);
        values.put(key, next);
        return new WriteOutcome(current == null, next);
    }

    VersionedValue get(String key) {
        return values.get(key);
    }

    int size() {
        return values.size();
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

    void clear() {
        values.clear();
        appliedHints.clear();
        frozen = new BitSet();
        disowned = new BitSet();
    }

    void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(FORMAT);
        writeBits(out, frozen);
        writeBits(out, disowned);
        out.writeInt(appliedHints.size());
        for (Map.Entry<String, Long> hint : appliedHints.entrySet()) {
            out.writeUTF(hint.getKey());
            out.writeLong(hint.getValue());
        }
        out.writeInt(values.size());
        for (Map.Entry<String, VersionedValue> entry : values.entrySet()) {
            out.writeUTF(entry.getKey());
            PartitionCodec.writeValue(out, entry.getValue());
        }
    }

    /** Replaces this store's contents with a snapshot written by {@link #writeTo}. */
    void readFrom(DataInputStream in) throws IOException {
        int format = in.readInt();
        if (format != FORMAT) {
            throw new IOException("unknown partition snapshot format " + format);
        }
        clear();
        frozen = readBits(in);
        disowned = readBits(in);
        int hints = in.readInt();
        for (int i = 0; i < hints; i++) {
            appliedHints.put(in.readUTF(), in.readLong());
        }
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            values.put(in.readUTF(), PartitionCodec.readValue(in));
        }
    }

    private static void writeBits(DataOutputStream out, BitSet bits) throws IOException {
        byte[] bytes = bits.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static BitSet readBits(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return BitSet.valueOf(bytes);
    }
}
