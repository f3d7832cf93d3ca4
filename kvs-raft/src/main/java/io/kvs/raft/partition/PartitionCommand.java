package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;

import java.util.BitSet;
import java.util.List;

/** Entries of a partition group's Raft log. */
public sealed interface PartitionCommand {

    /** A client's write of {@code key}, ordered after everything before it in the log. */
    record Put(int slot, String key, String value) implements PartitionCommand {
    }

    /** Stops writes to {@code slots}: they are being copied to the partition that will own them. */
    record Freeze(BitSet slots) implements PartitionCommand {
    }

    /** Keys copied from another group, merged by the merge rule (so a repeated import is harmless). */
    record Import(List<MovedKey> keys) implements PartitionCommand {
        public Import {
            keys = List.copyOf(keys);
        }
    }

    /** Takes {@code slots} over (again): this group will own them once the view that says so commits. */
    record Adopt(BitSet slots) implements PartitionCommand {
    }

    /** Drops {@code slots} for good after their new owner took over; requests for them are refused. */
    record Disown(BitSet slots) implements PartitionCommand {
    }

    /** A key with its value and causal metadata, as moved between groups. */
    record MovedKey(String key, VersionedValue value) {
    }
}
