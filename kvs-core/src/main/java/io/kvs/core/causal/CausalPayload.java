package io.kvs.core.causal;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a client has observed, as the positions it has seen in each place: per Raft group (by
 * serial number), the highest applied log index; per (group, node), the highest hinted write
 * that node accepted for the group without a majority; and the newest view epoch. Immutable.
 *
 * <p>The epoch matters across view changes: a key that moved is read from its new group, so a
 * node still routing by an older view than the client has seen would read the old group, which
 * does not have the writes made since the move.
 *
 * <p>Clients see it as an opaque, signed string ({@link PayloadSeal}); a payload from another
 * cluster, or one that cannot be parsed, reads as empty, so foreign payloads such as
 * {@code 9.9.9.9} never cause an error or a wait.
 *
 * <p>Every stored value carries one (what its writer had seen), so it is kept in three parallel
 * sorted arrays rather than maps: 100 to 200 bytes for a typical payload instead of about 550
 * (a map entry and a boxed number per position), which was half of a key's heap.
 */
public final class CausalPayload {
    private static final CausalPayload EMPTY = new CausalPayload(new int[0], new String[0], new long[0], 0);

    /**
     * Position i is at site (groups[i], nodes[i]): a group's applied Raft index where the node is
     * null, else the highest hinted write that node accepted for the group. Sorted by group, then
     * the Raft position first, then nodes; no site twice.
     */
    private final int[] groups;
    private final String[] nodes;
    private final long[] positions;
    private final long viewEpoch;

    private CausalPayload(int[] groups, String[] nodes, long[] positions, long viewEpoch) {
        this.groups = groups;
        this.nodes = nodes;
        this.positions = positions;
        this.viewEpoch = viewEpoch;
    }

    public static CausalPayload empty() {
        return EMPTY;
    }

    public boolean isEmpty() {
        return positions.length == 0 && viewEpoch == 0;
    }

    /** The newest view epoch the client has seen, 0 if none. */
    public long viewEpoch() {
        return viewEpoch;
    }

    public CausalPayload withViewEpoch(long epoch) {
        return epoch <= viewEpoch ? this : new CausalPayload(groups, nodes, positions, epoch);
    }

    /** The Raft index the client has seen in {@code group}, 0 if none. */
    public long appliedIndex(int group) {
        return positionAt(group, null);
    }

    /** The hinted writes of {@code group} the client has seen: node to highest hint id. */
    public Map<String, Long> hintsOf(int group) {
        Map<String, Long> result = new TreeMap<>();
        for (int i = 0; i < positions.length; i++) {
            if (groups[i] == group && nodes[i] != null) {
                result.put(nodes[i], positions[i]);
            }
        }
        return result;
    }

    /** The groups with an applied index. */
    public Set<Integer> groups() {
        Set<Integer> result = new TreeSet<>();
        for (int i = 0; i < positions.length; i++) {
            if (nodes[i] == null) {
                result.add(groups[i]);
            }
        }
        return Collections.unmodifiableSet(result);
    }

    public CausalPayload withApplied(int group, long index) {
        return with(group, null, index);
    }

    public CausalPayload withHint(int group, String node, long hintId) {
        return with(group, Objects.requireNonNull(node, "node"), hintId);
    }

    /** The pointwise maximum: everything either payload has seen. */
    public CausalPayload merge(CausalPayload other) {
        long epoch = Math.max(viewEpoch, other.viewEpoch);
        if (other.positions.length == 0) {
            return withViewEpoch(epoch);
        }
        if (positions.length == 0) {
            return other.withViewEpoch(epoch);
        }
        int capacity = positions.length + other.positions.length;
        int[] g = new int[capacity];
        String[] n = new String[capacity];
        long[] p = new long[capacity];
        int i = 0;
        int j = 0;
        int k = 0;
        while (i < positions.length || j < other.positions.length) {
            int cmp = i == positions.length ? 1 : j == other.positions.length ? -1
                    : compareSites(groups[i], nodes[i], other.groups[j], other.nodes[j]);
            if (cmp <= 0) {
                g[k] = groups[i];
                n[k] = nodes[i];
                p[k] = cmp == 0 ? Math.max(positions[i], other.positions[j]) : positions[i];
            } else {
                g[k] = other.groups[j];
                n[k] = other.nodes[j];
                p[k] = other.positions[j];
            }
            i += cmp <= 0 ? 1 : 0;
            j += cmp >= 0 ? 1 : 0;
            k++;
        }
        return firstOf(g, n, p, k, epoch);
    }

    /** Drops positions in groups outside {@code liveGroups}: retired groups' data lives on in their successors. */
    public CausalPayload retainGroups(Set<Integer> liveGroups) {
        int[] g = new int[positions.length];
        String[] n = new String[positions.length];
        long[] p = new long[positions.length];
        int k = 0;
        for (int i = 0; i < positions.length; i++) {
            if (liveGroups.contains(groups[i])) {
                g[k] = groups[i];
                n[k] = nodes[i];
                p[k] = positions[i];
                k++;
            }
        }
        return k == positions.length ? this : firstOf(g, n, p, k, viewEpoch);
    }

    /**
     * The positions alone, as stored with a value ({@code e=4;g3=105;h3@10.0.0.22:8080=4}): the
     * epoch, then by group its applied index and its hinted writes; "" when empty.
     */
    public String toCompactText() {
        StringBuilder text = new StringBuilder();
        if (viewEpoch > 0) {
            text.append(";e=").append(viewEpoch);
        }
        // In site order, which fromCompactText reads without sorting.
        for (int i = 0; i < positions.length; i++) {
            if (nodes[i] == null) {
                text.append(";g").append(groups[i]).append('=').append(positions[i]);
            } else {
                text.append(";h").append(groups[i]).append('@').append(nodes[i]).append('=').append(positions[i]);
            }
        }
        return text.length() == 0 ? "" : text.substring(1);
    }

    /**
     * Reads {@link #toCompactText()}, in any order (a site named twice keeps its highest
     * position); malformed text is an IllegalArgumentException. Node names are taken from
     * {@link NodeNames}, so the payloads of many values share them.
     */
    public static CausalPayload fromCompactText(String text) {
        if (text.isEmpty()) {
            return EMPTY;
        }
        String[] parts = text.split(";");
        int[] g = new int[parts.length];
        String[] n = new String[parts.length];
        long[] p = new long[parts.length];
        int size = 0;
        long epoch = 0;
        for (String part : parts) {
            int eq = part.lastIndexOf('=');
            long position = Long.parseLong(part.substring(eq + 1));
            if (position < 0) {
                throw new IllegalArgumentException("negative position in " + part);
            }
            if (part.startsWith("e=")) {
                epoch = Math.max(epoch, position);
                continue;
            }
            if (part.charAt(0) == 'g') {
                g[size] = Integer.parseInt(part.substring(1, eq));
            } else if (part.charAt(0) == 'h') {
                int at = part.indexOf('@');
                g[size] = Integer.parseInt(part.substring(1, at));
                n[size] = NodeNames.canonical(part.substring(at + 1, eq));
            } else {
                throw new IllegalArgumentException("unknown position " + part);
            }
            p[size++] = position;
        }
        for (int i = 1; i < size; i++) {
            if (compareSites(g[i - 1], n[i - 1], g[i], n[i]) >= 0) {
                return sorted(g, n, p, size, epoch);
            }
        }
        return firstOf(g, n, p, size, epoch); // in site order already, as toCompactText writes it
    }

    /**
     * The first {@code size} positions in site order, a site named more than once keeping its
     * highest position: a sort, so that text in any order costs O(n log n).
     */
    private static CausalPayload sorted(int[] g, String[] n, long[] p, int size, long epoch) {
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> compareSites(g[a], n[a], g[b], n[b]));
        int[] groups = new int[size];
        String[] nodes = new String[size];
        long[] positions = new long[size];
        int k = 0;
        for (int i : order) {
            if (k > 0 && compareSites(groups[k - 1], nodes[k - 1], g[i], n[i]) == 0) {
                positions[k - 1] = Math.max(positions[k - 1], p[i]);
            } else {
                groups[k] = g[i];
                nodes[k] = n[i];
                positions[k] = p[i];
                k++;
            }
        }
        return firstOf(groups, nodes, positions, k, epoch);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CausalPayload other && viewEpoch == other.viewEpoch
                && Arrays.equals(groups, other.groups) && Arrays.equals(nodes, other.nodes)
                && Arrays.equals(positions, other.positions);
    }

    @Override
    public int hashCode() {
        return ((Arrays.hashCode(groups) * 31 + Arrays.hashCode(nodes)) * 31 + Arrays.hashCode(positions)) * 31
                + Long.hashCode(viewEpoch);
    }

    @Override
    public String toString() {
        return "CausalPayload{" + toCompactText() + '}';
    }

    private long positionAt(int group, String node) {
        for (int i = 0; i < positions.length; i++) {
            if (compareSites(groups[i], nodes[i], group, node) == 0) {
                return positions[i];
            }
        }
        return 0;
    }

    /** This payload with {@code position} at the site, unless it has seen as much there already. */
    private CausalPayload with(int group, String node, long position) {
        if (position <= positionAt(group, node)) {
            return this;
        }
        return merge(new CausalPayload(new int[] {group}, new String[] {node}, new long[] {position}, 0));
    }

    /** A payload of the first {@code size} positions of the arrays, already in site order. */
    private static CausalPayload firstOf(int[] groups, String[] nodes, long[] positions, int size, long viewEpoch) {
        return new CausalPayload(Arrays.copyOf(groups, size), Arrays.copyOf(nodes, size),
                Arrays.copyOf(positions, size), viewEpoch);
    }

    /** Sites in order: by group, then the group's Raft position, then its nodes' hinted writes. */
    private static int compareSites(int groupA, String nodeA, int groupB, String nodeB) {
        int byGroup = Integer.compare(groupA, groupB);
        if (byGroup != 0) {
            return byGroup;
        }
        if (nodeA == null || nodeB == null) {
            return nodeA == null ? (nodeB == null ? 0 : -1) : 1;
        }
        return nodeA.compareTo(nodeB);
    }
}
