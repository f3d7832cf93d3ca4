package io.kvs.raft.partition;

/** Entries of a partition group's Raft log. */
public sealed interface PartitionCommand {

    /** A client's write of {@code key}, ordered after everything before it in the log. */
    record Put(int slot, String key, String value) implements PartitionCommand {
    }
}
