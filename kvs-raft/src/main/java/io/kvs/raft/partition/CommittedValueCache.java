package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The committed values of the keys a replica wrote or looked up last, so that a write to a hot
 * key finds the value it is ordered after without a store lookup (a search of RocksDB's
 * memtable, which holds every recent version of a hot key).
 *
 * <p>It holds a subset of the store, never anything else: every replica of the group must
 * order a write after the same value, so a cached value that the store no longer holds would
 * make replicas diverge. Its owner puts a value only once the store holds it, removes or clears
 * whatever a change could make stale, and clearing is always safe. Small values only, and a
 * bounded total, so that it never holds a large share of the heap.
 */
final class CommittedValueCache {
    /** Values longer than this are not kept: a few of them would take the whole budget. */
    static final int MAX_VALUE_CHARS = 4096;
    /** What an entry costs besides its key's and value's characters: objects, vector, payload. */
    private static final int ENTRY_OVERHEAD = 160;

    private final long maxBytes;
    private final LinkedHashMap<String, VersionedValue> values = new LinkedHashMap<>(1024, 0.75f, true);
    private long bytes;

    /** @param maxBytes the estimated heap the cached values may take */
    CommittedValueCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The committed value of {@code key}, or null if it is not cached (whether or not the store holds one). */
    synchronized VersionedValue get(String key) {
        return values.get(key);
    }

    /** Records {@code value} as what the store now holds for {@code key}. */
    synchronized void put(String key, VersionedValue value) {
        remove(key);
        if (value.value() != null && value.value().length() > MAX_VALUE_CHARS) {
            return;
        }
        values.put(key, value);
        bytes += cost(key, value);
        Iterator<Map.Entry<String, VersionedValue>> eldest = values.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<String, VersionedValue> entry = eldest.next();
            bytes -= cost(entry.getKey(), entry.getValue());
            eldest.remove();
        }
    }

    /** Forgets {@code key}: the store's value of it changed in a way not recorded here. */
    synchronized void remove(String key) {
        VersionedValue previous = values.remove(key);
        if (previous != null) {
            bytes -= cost(key, previous);
        }
    }

    /** Forgets everything: the store changed in bulk (a range dropped, tombstones purged, a snapshot installed). */
    synchronized void clear() {
        values.clear();
        bytes = 0;
    }

    synchronized int size() {
        return values.size();
    }

    private static long cost(String key, VersionedValue value) {
        return key.length() + (value.value() == null ? 0 : value.value().length()) + ENTRY_OVERHEAD;
    }
}
