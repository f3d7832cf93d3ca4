package io.kvs.core.causal;

/**
 * A stored value with its causal metadata, or a tombstone: the record of a delete, which keeps
 * the key's causal metadata so that a delete and a concurrent write resolve by the merge rule
 * like any two writes.
 *
 * @param value           the client's value; null for a tombstone
 * @param timestampMillis wall-clock time on the replica that first processed the write, raised
 *                        above the value it replaced (see {@link #successor}) so that a causally
 *                        later write always carries a later timestamp
 * @param origin          the node that first processed the write; breaks timestamp ties
 * @param version         the write's version vector
 * @param deps            what the writer had seen when it wrote: a reader of this value has
 *                        seen all of it too, so causality carries across keys and partitions
 */
public record VersionedValue(String value, long timestampMillis, String origin, VersionVector version,
                             CausalPayload deps) {

    public VersionedValue {
        deps = deps == null ? CausalPayload.empty() : deps;
    }

    /** Whether this records a delete: the key reads as missing. */
    public boolean isTombstone() {
        return value == null;
    }

    /** Whether the key holds a value: {@code stored} is neither absent nor a tombstone. */
    public static boolean isLive(VersionedValue stored) {
        return stored != null && stored.value != null;
    }

    /** A value with no dependencies. */
    public VersionedValue(String value, long timestampMillis, String origin, VersionVector version) {
        this(value, timestampMillis, origin, version, CausalPayload.empty());
    }

    /**
     * The timestamp a new write gets when it replaces {@code previous}: the wall clock, but never
     * earlier than one millisecond after what it replaces, whatever the clocks of the replicas.
     */
    public static long successorTimestamp(VersionedValue previous, long nowMillis) {
        return previous == null ? nowMillis : Math.max(nowMillis, previous.timestampMillis + 1);
    }

    /**
     * A write ordered by Raft after {@code previous} (null for a new key): it follows everything
     * stored before it, so its vector is the previous one with the Raft counter raised. A null
     * {@code value} is a delete.
     */
    public static VersionedValue orderedAfter(VersionedValue previous, String value, long nowMillis, String origin,
                                              CausalPayload deps) {
        VersionVector base = previous == null ? VersionVector.EMPTY : previous.version();
        return new VersionedValue(value, successorTimestamp(previous, nowMillis), origin, base.nextRaft(), deps);
    }

    /**
     * A write {@code node} accepted on its own (its group had no majority) after
     * {@code previous}, what the node knew of the key: its vector is the previous one with the
     * node's own counter raised. A null {@code value} is a delete.
     */
    public static VersionedValue acceptedAlone(VersionedValue previous, String value, long nowMillis, String node,
                                               CausalPayload deps) {
        VersionVector base = previous == null ? VersionVector.EMPTY : previous.version();
        return new VersionedValue(value, successorTimestamp(previous, nowMillis), node, base.nextAt(node), deps);
    }

    /** The Unix seconds shown to clients as {@code timestamp}. */
    public String timestampSeconds() {
        return timestampSeconds(timestampMillis);
    }

    /** A value's timestamp as shown to clients: Unix seconds. */
    public static String timestampSeconds(long timestampMillis) {
        return Long.toString(timestampMillis / 1000);
    }
}
