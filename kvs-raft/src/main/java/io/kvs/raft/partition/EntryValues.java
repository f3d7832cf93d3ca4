package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;
import io.kvs.core.key.KeySlots;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The values the log entry being applied has written so far, which a later write of the same
 * key in the entry must follow: the store's batch holds them but cannot be read. A moved value
 * is kept encoded, as it came, and decoded only if the entry writes its key again.
 */
final class EntryValues {
    private final Map<String, VersionedValue> decoded = new HashMap<>();
    private final Map<String, EncodedValue> encoded = new HashMap<>();

    void put(String key, VersionedValue value) {
        encoded.remove(key);
        decoded.put(key, value);
    }

    void put(String key, EncodedValue value) {
        decoded.remove(key);
        encoded.put(key, value);
    }

    /** The value the entry wrote for {@code key}, or null if it wrote none. */
    VersionedValue get(String key) {
        VersionedValue value = decoded.get(key);
        if (value != null) {
            return value;
        }
        EncodedValue moved = encoded.get(key);
        return moved == null ? null : moved.decode();
    }

    /** Forgets the keys of {@code slots}: the entry dropped them. */
    void removeSlots(BitSet slots) {
        decoded.keySet().removeIf(key -> slots.get(KeySlots.slotOf(key)));
        encoded.keySet().removeIf(key -> slots.get(KeySlots.slotOf(key)));
    }

    /**
     * Tells {@code cache} what the entry wrote, once the store holds it: the decoded values;
     * the keys of moved values, kept encoded, are forgotten instead.
     */
    void publishTo(CommittedValueCache cache) {
        decoded.forEach(cache::put);
        encoded.keySet().forEach(cache::remove);
    }

    void clear() {
        decoded.clear();
        encoded.clear();
    }
}
