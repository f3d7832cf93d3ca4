package io.kvs.core.causal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a client has observed, as the positions it has seen in each place: per Raft group (by
 * serial number), the highest applied log index; per (group, node), the highest hinted write
 * that node accepted for the group without a majority; and the newest view epoch. Immutable.
 *
 * <p>The epoch matters across view changes: a key that moved is read from its new group, so a
 * node still routing by an older view than the client has seen would read the old group, which
 * does not have the writes made since the move.
 *
 * <p>Clients see it as an opaque string (URL- and form-safe base64 of a short text) that names
 * the cluster it came from; a payload from another cluster, or one that cannot be parsed, reads
 * as empty, so foreign payloads such as {@code 9.9.9.9} never cause an error or a wait.
 */
public final class CausalPayload {
    private static final String VERSION = "k1";
    private static final CausalPayload EMPTY = new CausalPayload(new TreeMap<>(), new TreeMap<>(), 0);

    private final TreeMap<Integer, Long> applied;
    private final TreeMap<HintSite, Long> hints;
    private final long viewEpoch;

    /** Hinted writes are counted per group and per node that accepted them. */
    public record HintSite(int group, String node) implements Comparable<HintSite> {
        @Override
        public int compareTo(HintSite o) {
            int byGroup = Integer.compare(group, o.group);
            return byGroup != 0 ? byGroup : node.compareTo(o.node);
        }
    }

    private CausalPayload(TreeMap<Integer, Long> applied, TreeMap<HintSite, Long> hints, long viewEpoch) {
        this.applied = applied;
        this.hints = hints;
        this.viewEpoch = viewEpoch;
    }

    public static CausalPayload empty() {
        return EMPTY;
    }

    public boolean isEmpty() {
        return applied.isEmpty() && hints.isEmpty() && viewEpoch == 0;
    }

    /** The newest view epoch the client has seen, 0 if none. */
    public long viewEpoch() {
        return viewEpoch;
    }

    public CausalPayload withViewEpoch(long epoch) {
        return epoch <= viewEpoch ? this : new CausalPayload(applied, hints, epoch);
    }

    /** The Raft index the client has seen in {@code group}, 0 if none. */
    public long appliedIndex(int group) {
        return applied.getOrDefault(group, 0L);
    }

    /** The hinted writes of {@code group} the client has seen: node to highest hint id. */
    public Map<String, Long> hintsOf(int group) {
        Map<String, Long> result = new TreeMap<>();
        hints.forEach((site, id) -> {
            if (site.group() == group) {
                result.put(site.node(), id);
            }
        });
        return result;
    }

    public Set<Integer> groups() {
        return Collections.unmodifiableSet(applied.keySet());
    }

    public CausalPayload withApplied(int group, long index) {
        if (index <= appliedIndex(group)) {
            return this;
        }
        TreeMap<Integer, Long> next = new TreeMap<>(applied);
        next.put(group, index);
        return new CausalPayload(next, hints, viewEpoch);
    }

    public CausalPayload withHint(int group, String node, long hintId) {
        HintSite site = new HintSite(group, node);
        if (hintId <= hints.getOrDefault(site, 0L)) {
            return this;
        }
        TreeMap<HintSite, Long> next = new TreeMap<>(hints);
        next.put(site, hintId);
        return new CausalPayload(applied, next, viewEpoch);
    }

    /** The pointwise maximum: everything either payload has seen. */
    public CausalPayload merge(CausalPayload other) {
        TreeMap<Integer, Long> mergedApplied = new TreeMap<>(applied);
        other.applied.forEach((g, i) -> mergedApplied.merge(g, i, Math::max));
        TreeMap<HintSite, Long> mergedHints = new TreeMap<>(hints);
        other.hints.forEach((s, i) -> mergedHints.merge(s, i, Math::max));
        return new CausalPayload(mergedApplied, mergedHints, Math.max(viewEpoch, other.viewEpoch));
    }

    /** Drops positions in groups outside {@code liveGroups}: retired groups' data lives on in their successors. */
    public CausalPayload retainGroups(Set<Integer> liveGroups) {
        TreeMap<Integer, Long> keptApplied = new TreeMap<>(applied);
        keptApplied.keySet().retainAll(liveGroups);
        TreeMap<HintSite, Long> keptHints = new TreeMap<>(hints);
        keptHints.keySet().removeIf(site -> !liveGroups.contains(site.group()));
        return new CausalPayload(keptApplied, keptHints, viewEpoch);
    }

    /** The opaque text handed to clients, naming {@code cluster}. */
    public String encode(String cluster) {
        String text = VERSION + ";" + cluster + (isEmpty() ? "" : ";" + toCompactText());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a client's payload; empty unless it is well formed and names {@code cluster}. */
    public static CausalPayload decode(String encoded, String cluster) {
        if (encoded == null || encoded.isBlank()) {
            return EMPTY;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
            String[] parts = text.split(";", 3);
            if (parts.length < 2 || !VERSION.equals(parts[0]) || !parts[1].equals(cluster)) {
                return EMPTY;
            }
            return parts.length == 2 ? EMPTY : fromCompactText(parts[2]);
        } catch (RuntimeException malformed) {
            return EMPTY;
        }
    }

    /** The positions alone, as stored with a value ({@code e=4;g3=105;h3@10.0.0.22:8080=4}); "" when empty. */
    public String toCompactText() {
        StringBuilder text = new StringBuilder();
        if (viewEpoch > 0) {
            text.append(";e=").append(viewEpoch);
        }
        applied.forEach((g, i) -> text.append(";g").append(g).append('=').append(i));
        hints.forEach((s, i) -> text.append(";h").append(s.group()).append('@').append(s.node()).append('=').append(i));
        return text.length() == 0 ? "" : text.substring(1);
    }

    /** Reads {@link #toCompactText()}; malformed text is an IllegalArgumentException. */
    public static CausalPayload fromCompactText(String text) {
        if (text.isEmpty()) {
            return EMPTY;
        }
        TreeMap<Integer, Long> applied = new TreeMap<>();
        TreeMap<HintSite, Long> hints = new TreeMap<>();
        long epoch = 0;
        for (String part : text.split(";")) {
            int eq = part.lastIndexOf('=');
            long position = Long.parseLong(part.substring(eq + 1));
            if (position < 0) {
                throw new IllegalArgumentException("negative position in " + part);
            }
            if (part.startsWith("e=")) {
                epoch = position;
            } else if (part.charAt(0) == 'g') {
                applied.put(Integer.parseInt(part.substring(1, eq)), position);
            } else if (part.charAt(0) == 'h') {
                int at = part.indexOf('@');
                hints.put(new HintSite(Integer.parseInt(part.substring(1, at)), part.substring(at + 1, eq)), position);
            } else {
                throw new IllegalArgumentException("unknown position " + part);
            }
        }
        return new CausalPayload(applied, hints, epoch);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CausalPayload p && applied.equals(p.applied) && hints.equals(p.hints)
                && viewEpoch == p.viewEpoch;
    }

    @Override
    public int hashCode() {
        return (applied.hashCode() * 31 + hints.hashCode()) * 31 + Long.hashCode(viewEpoch);
    }

    @Override
    public String toString() {
        return "CausalPayload{applied=" + applied + ", hints=" + hints + ", viewEpoch=" + viewEpoch + '}';
    }
}
