package io.kvs.core.causal;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A version vector with one counter for writes ordered by Raft and one per node for writes a
 * node accepted while its group had no majority. Immutable.
 *
 * <p>Most keys only ever see Raft writes, so the Raft counter is a plain field and the node
 * sites are kept in two small sorted arrays: a key costs a few bytes, not a map.
 */
public final class VersionVector {
    public static final VersionVector EMPTY = new VersionVector(0, new String[0], new long[0]);

    /** How two vectors relate: this one is BEFORE, AFTER, EQUAL to or CONCURRENT with the other. */
    public enum Order { BEFORE, AFTER, EQUAL, CONCURRENT }

    private final long raft;
    private final String[] sites;
    private final long[] counters;

    private VersionVector(long raft, String[] sites, long[] counters) {
        this.raft = raft;
        this.sites = sites;
        this.counters = counters;
    }

    public static VersionVector of(long raft, Map<String, Long> nodeCounters) {
        TreeMap<String, Long> sorted = new TreeMap<>(nodeCounters);
        sorted.values().removeIf(c -> c == 0);
        return new VersionVector(raft, sorted.keySet().toArray(new String[0]),
                sorted.values().stream().mapToLong(Long::longValue).toArray());
    }

    public long raft() {
        return raft;
    }

    /** The counters of node sites, sorted by node. */
    public Map<String, Long> nodeCounters() {
        TreeMap<String, Long> map = new TreeMap<>();
        for (int i = 0; i < sites.length; i++) {
            map.put(sites[i], counters[i]);
        }
        return map;
    }

    public long counter(String site) {
        int i = Arrays.binarySearch(sites, site);
        return i >= 0 ? counters[i] : 0;
    }

    /** This vector with the Raft counter one higher: a write ordered after everything before it. */
    public VersionVector nextRaft() {
        return new VersionVector(raft + 1, sites, counters);
    }

    /** This vector with {@code node}'s counter one higher: a write accepted by that node alone. */
    public VersionVector nextAt(String node) {
        Map<String, Long> map = nodeCounters();
        map.merge(node, 1L, Long::sum);
        return of(raft, map);
    }

    /** The pointwise maximum. */
    public VersionVector merge(VersionVector other) {
        if (sites.length == 0 && other.sites.length == 0) {
            return raft >= other.raft ? this : other;
        }
        Map<String, Long> map = nodeCounters();
        for (int i = 0; i < other.sites.length; i++) {
            map.merge(other.sites[i], other.counters[i], Math::max);
        }
        return of(Math.max(raft, other.raft), map);
    }

    public Order compareTo(VersionVector other) {
        boolean less = raft < other.raft;
        boolean greater = raft > other.raft;
        int i = 0;
        int j = 0;
        while (i < sites.length || j < other.sites.length) {
            int cmp = i == sites.length ? 1 : j == other.sites.length ? -1 : sites[i].compareTo(other.sites[j]);
            long mine = cmp <= 0 ? counters[i] : 0;
            long theirs = cmp >= 0 ? other.counters[j] : 0;
            less |= mine < theirs;
            greater |= mine > theirs;
            if (cmp <= 0) {
                i++;
            }
            if (cmp >= 0) {
                j++;
            }
        }
        if (less && greater) {
            return Order.CONCURRENT;
        }
        return less ? Order.BEFORE : greater ? Order.AFTER : Order.EQUAL;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VersionVector v && raft == v.raft
                && Arrays.equals(sites, v.sites) && Arrays.equals(counters, v.counters);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(raft) + Arrays.hashCode(sites) * 17 + Arrays.hashCode(counters);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{R=").append(raft);
        for (int i = 0; i < sites.length; i++) {
            s.append(", ").append(sites[i]).append('=').append(counters[i]);
        }
        return s.append('}').toString();
    }
}
