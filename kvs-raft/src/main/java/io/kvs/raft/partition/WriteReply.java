package io.kvs.raft.partition;

/**
 * What a partition group answered to a write.
 *
 * <p>Ratis keeps each reply in its retry cache for {@link io.kvs.raft.server.RaftTuning}'s
 * expiry time, on every replica, so a reply holds what the gateway needs and no copy of the
 * value (which may be 1 MiB).
 *
 * @param status          what happened
 * @param index           the log index the write was applied at (a causal position in the group)
 * @param timestampMillis the timestamp of the value now stored for the key, 0 unless the write was applied
 */
public record WriteReply(Outcome status, long index, long timestampMillis) {

    /** A reply naming no stored value: the write was not applied, or the command stores no value. */
    public static WriteReply withoutValue(Outcome status, long index) {
        return new WriteReply(status, index, 0);
    }
}
