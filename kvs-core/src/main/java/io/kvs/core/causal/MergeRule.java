package io.kvs.core.causal;

import java.util.Comparator;

/**
 * Decides what a replica stores when a write meets the current value (CONTRACT.md §4): a write
 * that causally follows the current value replaces it; one that precedes it is dropped;
 * concurrent writes are ordered by timestamp, then origin node, and the survivor carries the
 * pointwise maximum of both vectors. The rule is commutative, associative and idempotent, so
 * replicas that see the same writes in any order store the same value. A delete is a write of a
 * tombstone and follows the same rule.
 */
public final class MergeRule {
    private static final Comparator<VersionedValue> LAST_WRITER =
            Comparator.comparingLong(VersionedValue::timestampMillis)
                    .thenComparing(VersionedValue::origin)
                    .thenComparing(VersionedValue::value, Comparator.nullsFirst(Comparator.naturalOrder()));

    private MergeRule() {
    }

    public static VersionedValue merge(VersionedValue current, VersionedValue incoming) {
        if (current == null || incoming == null) {
            return current == null ? incoming : current;
        }
        switch (incoming.version().compareTo(current.version())) {
            case AFTER:
                return incoming;
            case BEFORE:
                return current;
            case EQUAL:
                // The same write delivered twice; should two writes ever share a vector, the
                // comparator still picks one the same way on every replica.
                return LAST_WRITER.compare(incoming, current) > 0 ? incoming : current;
            default:
                VersionedValue winner = LAST_WRITER.compare(incoming, current) > 0 ? incoming : current;
                return new VersionedValue(winner.value(), winner.timestampMillis(), winner.origin(),
                        current.version().merge(incoming.version()), current.deps().merge(incoming.deps()));
        }
    }
}
