package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;

/**
 * What a partition group answered to a write.
 *
 * @param status what happened
 * @param index  the log index the write was applied at (a causal position in the group)
 * @param stored the value now stored for the key, null unless the write was applied
 */
public record WriteReply(Status status, long index, VersionedValue stored) {
    /**
     * What happened; LATE: the write reached the leader after its gateway's deadline and was not
     * taken (see {@link PartitionCommand.Put}).
     */
    public enum Status { CREATED, UPDATED, WRONG_OWNER, MOVING, NOT_CAUGHT_UP, LATE }
}
