package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;

/**
 * What a replica answered to a read.
 *
 * @param status       what happened
 * @param appliedIndex the replica's applied log index when it read: a causal position the
 *                     client has now seen
 * @param value        the value, null unless FOUND (a deleted key is NOT_FOUND)
 */
public record ReadReply(Outcome status, long appliedIndex, VersionedValue value) {
}
