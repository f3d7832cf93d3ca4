package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;

/**
 * A write a replica accepted while its group had no majority: numbered per (node, group), in
 * the order the node accepted them, until the group applies it through its log. {@code writeId}
 * names the client's request (see {@link PartitionCommand.Put}).
 */
public record HintedWrite(long id, int slot, String key, VersionedValue value, long writeId) {
}
