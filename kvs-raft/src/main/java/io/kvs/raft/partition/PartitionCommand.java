package io.kvs.raft.partition;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.VersionedValue;

import java.util.BitSet;
import java.util.List;
import java.util.Map;

/** Entries of a partition group's Raft log. */
public sealed interface PartitionCommand {

    /**
     * Client writes that reached one gateway together, entering the log as one entry: one Raft
     * round and one fsync serve them all. They are applied in order, each as if alone.
     */
    record Puts(List<Put> puts) implements PartitionCommand {
        public Puts {
            puts = List.copyOf(puts);
        }
    }

    /**
     * A client's write of {@code key}, carried in a {@link Puts} entry and ordered after everything
     * before it in the log; a null {@code value} deletes the key (a tombstone takes its place). The group
     * must have applied the hinted writes the client has seen ({@code requiredHints}, node to
     * hint id), or the write would not follow them. {@code writeId} names the client's request:
     * a request that also reached the group as a hint (its first attempt timed out) is applied
     * once, whichever copy arrives first. The leader does not take it into its log after
     * {@code notAfterMillis} (its clock; 0 for no limit): by then the gateway has given up on it,
     * and a copy retried later by the Ratis client must not overtake the client's later writes.
     * {@code deps} is what the client had seen: stored with the value, passed on to its readers.
     */
    record Put(int slot, String key, String value, Map<String, Long> requiredHints, long writeId,
               long notAfterMillis, CausalPayload deps) {
        public Put {
            requiredHints = Map.copyOf(requiredHints);
        }

        public Put(int slot, String key, String value) {
            this(slot, key, value, Map.of(), 0, 0, CausalPayload.empty());
        }
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

    /**
     * Writes {@code origin} accepted while the group had no majority, entering its log: each is
     * merged by the merge rule. {@code upTo} is how far the group now holds the origin's hints
     * of this group: every one up to it whose slot the group owns is in this entry or was
     * applied before. It is 0 for hints the origin accepted for another group (their slots
     * moved here since): their ids count in that group's sequence, not in this one's.
     */
    record ApplyHints(String origin, long upTo, List<HintedWrite> writes) implements PartitionCommand {
        public ApplyHints {
            writes = List.copyOf(writes);
        }
    }

    /**
     * Drops tombstones for good: those written at a log index every member of the group had
     * reached when the leader proposed this ({@code appliedEverywhere}), with a timestamp before
     * {@code deletedBeforeMillis} (the leader's clock less the grace period, in which a hinted
     * write older than the delete can still arrive and must still meet it). At most
     * {@code maxKeys} of them, in key order, so the entry stays small.
     */
    record Purge(long appliedEverywhere, long deletedBeforeMillis, int maxKeys) implements PartitionCommand {
    }

    /** A key with its value and causal metadata, as moved between groups: encoded all the way. */
    record MovedKey(String key, EncodedValue value) {
        public static MovedKey of(String key, VersionedValue value) {
            return new MovedKey(key, EncodedValue.of(value));
        }
    }
}
