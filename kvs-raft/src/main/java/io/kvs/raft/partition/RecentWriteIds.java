package io.kvs.raft.partition;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The ids of the latest client writes a group applied, at most {@code capacity}, the oldest
 * forgotten first: a second copy of a write (a request retried after it had entered the log) is
 * recognised and ignored.
 *
 * <p>Held in two primitive arrays allocated once, a ring in the order the ids came and an
 * open-addressing hash table (linear probing): a write allocates nothing, and the ids, which live
 * for the next {@code capacity} writes, hold no references for a collector to follow.
 *
 * <p>Not thread-safe: only the state machine's apply thread uses it (snapshots are taken there too).
 */
final class RecentWriteIds {
    /** Marks a free slot of the table; 0 names no write, so it is never added. */
    private static final long FREE = 0;

    private final long[] ring;
    /** Where the next id goes in {@link #ring}; the oldest is there too once it is full. */
    private int next;
    private int size;
    private final long[] table;
    private final int mask;

    RecentWriteIds(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        ring = new long[capacity];
        // A power of two at least twice the capacity: a load of at most one half keeps probes short.
        int tableSize = Integer.highestOneBit(capacity) << 2;
        table = new long[tableSize];
        mask = tableSize - 1;
    }

    /**
     * Records {@code id} (not 0) as applied, forgetting the oldest if full; false if it is
     * among the recent ids already (nothing changes then).
     */
    boolean add(long id) {
        if (id == FREE) {
            throw new IllegalArgumentException("write id 0 names no write");
        }
        int at = slotOf(id);
        if (table[at] == id) {
            return false;
        }
        if (size == ring.length) {
            remove(ring[next]);
            at = slotOf(id); // the removal may have moved entries back over the free slot found
        } else {
            size++;
        }
        table[at] = id;
        ring[next] = id;
        next = (next + 1) % ring.length;
        return true;
    }

    /** Writes the count, then each id, oldest first. */
    void writeTo(DataOutput out) throws IOException {
        out.writeInt(size);
        for (int i = 0; i < size; i++) {
            out.writeLong(ring[Math.floorMod(next - size + i, ring.length)]);
        }
    }

    /** Adds the ids {@link #writeTo} wrote, in their order. */
    void readFrom(DataInput in) throws IOException {
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
            add(in.readLong());
        }
    }

    void clear() {
        Arrays.fill(table, FREE);
        next = 0;
        size = 0;
    }

    private int home(long id) {
        // Fibonacci hashing: ids are random, but a mix costs nothing and guards against ones that are not.
        return (int) ((id * 0x9E3779B97F4A7C15L) >>> 32) & mask;
    }

    /** The slot that holds {@code id}, or else the free slot that ends its probe run. */
    private int slotOf(long id) {
        int at = home(id);
        while (table[at] != FREE && table[at] != id) {
            at = (at + 1) & mask;
        }
        return at;
    }

    /**
     * Removes {@code id}, which is in the table, then moves back each entry of the probe run after
     * it whose home position is not between the hole and itself, so that every entry stays
     * reachable from its home without a tombstone.
     */
    private void remove(long id) {
        int hole = slotOf(id);
        int at = hole;
        while (true) {
            at = (at + 1) & mask;
            long entry = table[at];
            if (entry == FREE) {
                break;
            }
            int distanceFromHome = (at - home(entry)) & mask;
            int distanceFromHole = (at - hole) & mask;
            if (distanceFromHome >= distanceFromHole) {
                table[hole] = entry;
                hole = at;
            }
        }
        table[hole] = FREE;
    }
}
