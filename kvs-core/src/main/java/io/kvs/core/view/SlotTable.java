package io.kvs.core.view;

import io.kvs.core.key.KeySlots;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which partition owns each hash slot. Immutable.
 *
 * <p>{@link #rebalance(Set)} is the only way the table changes: it gives each partition an even
 * share while moving as few slots as possible, so a split moves only the slots the new partition
 * takes and a merge moves only the dissolved partition's slots.
 */
public final class SlotTable {
    private final int[] owners;

    private SlotTable(int[] owners) {
        this.owners = owners;
    }

    /** Every slot spread evenly over partitions {@code 0..partitions-1}, each owning one contiguous range. */
    public static SlotTable initial(int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("a view has at least one partition");
        }
        int[] owners = new int[KeySlots.SLOT_COUNT];
        for (int slot = 0; slot < owners.length; slot++) {
            owners[slot] = (int) ((long) slot * partitions / owners.length);
        }
        return new SlotTable(owners);
    }

    public static SlotTable of(int[] owners) {
        if (owners.length != KeySlots.SLOT_COUNT) {
            throw new IllegalArgumentException("expected " + KeySlots.SLOT_COUNT + " slots, got " + owners.length);
        }
        return new SlotTable(owners.clone());
    }

    public int ownerOf(int slot) {
        return owners[slot];
    }

    public int[] toArray() {
        return owners.clone();
    }

    public BitSet slotsOf(int partition) {
        BitSet slots = new BitSet(owners.length);
        for (int slot = 0; slot < owners.length; slot++) {
            if (owners[slot] == partition) {
                slots.set(slot);
            }
        }
        return slots;
    }

    public int countOf(int partition) {
        int count = 0;
        for (int owner : owners) {
            if (owner == partition) {
                count++;
            }
        }
        return count;
    }

    /**
     * Returns a table owned exactly by {@code partitions}, each holding {@code SLOT_COUNT/n} slots
     * (the remainder going to those that already hold most). Slots of partitions not in the set,
     * and each partition's surplus (its highest-numbered slots), go to partitions below their
     * share, lowest id first.
     */
    public SlotTable rebalance(Set<Integer> partitions) {
        if (partitions.isEmpty()) {
            throw new IllegalArgumentException("a view has at least one partition");
        }
        List<Integer> ids = new ArrayList<>(new TreeSet<>(partitions));
        int n = ids.size();
        int[] held = new int[n];
        for (int i = 0; i < n; i++) {
            held[i] = countOf(ids.get(i));
        }
        int[] target = new int[n];
        Arrays.fill(target, owners.length / n);
        List<Integer> byHeldDescending = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byHeldDescending.add(i);
        }
        byHeldDescending.sort(Comparator.<Integer>comparingInt(i -> -held[i]).thenComparingInt(i -> i));
        for (int r = 0; r < owners.length % n; r++) {
            target[byHeldDescending.get(r)]++;
        }

        int[] next = owners.clone();
        List<Integer> released = new ArrayList<>();
        int[] kept = new int[n];
        for (int slot = 0; slot < next.length; slot++) {
            int index = ids.indexOf(next[slot]);
            if (index < 0 || kept[index] >= target[index]) {
                released.add(slot);
            } else {
                kept[index]++;
            }
        }
        int cursor = 0;
        for (int i = 0; i < n; i++) {
            while (kept[i] < target[i]) {
                next[released.get(cursor++)] = ids.get(i);
                kept[i]++;
            }
        }
        return new SlotTable(next);
    }

    /** The slots whose owner differs between this table and {@code other}. */
    public BitSet movedTo(SlotTable other) {
        BitSet moved = new BitSet(owners.length);
        for (int slot = 0; slot < owners.length; slot++) {
            if (owners[slot] != other.owners[slot]) {
                moved.set(slot);
            }
        }
        return moved;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlotTable t && Arrays.equals(owners, t.owners);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(owners);
    }
}
