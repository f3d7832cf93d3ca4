package io.kvs.raft.partition;

import java.util.List;

/** A page of exported keys and where the next page starts ({@code next} is null after the last page). */
public record ExportPage(List<PartitionCommand.MovedKey> keys, Cursor next) {
    public ExportPage {
        keys = List.copyOf(keys);
    }

    /** A position in (slot, key) order: after {@code key} in {@code slot}; key "" is before the slot's first key. */
    public record Cursor(int slot, String key) {
    }

    public boolean isLast() {
        return next == null;
    }
}
