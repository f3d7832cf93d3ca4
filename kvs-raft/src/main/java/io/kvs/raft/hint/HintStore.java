package io.kvs.raft.hint;

import io.kvs.raft.partition.HintedWrite;
import io.kvs.raft.partition.PartitionCodec;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.MergeRule;
import io.kvs.core.causal.VersionedValue;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntToLongFunction;

/**
 * The writes this node accepted for groups that had no majority, until those groups apply them:
 * durable (one {@link HintLog} per group under the data directory) and readable (an overlay on
 * the node's replica, so reads here see them at once).
 */
public final class HintStore implements Closeable {
    private final Path dir;
    private final String self;
    private final IntToLongFunction appliedHere;
    private final Map<Integer, GroupHints> groups = new ConcurrentHashMap<>();
    /** The size of every pending hint's key and value, all groups together: they are held in memory too. */
    private long pendingBytes;
    /** By group: slots whose hints a view change has collected (see {@link #seal}). */
    private final Map<Integer, Seal> seals = new HashMap<>();

    /**
     * Slots that take no more hints until this node routes by view {@code untilEpoch}, which
     * sends writes for them to their new group.
     */
    private record Seal(BitSet slots, long untilEpoch) {
        boolean covers(int slot, long viewEpoch) {
            return viewEpoch < untilEpoch && slots.get(slot);
        }
    }

    /** More pending hints than this, in bytes of keys and values, and the node takes no more: its heap holds them. */
    public static final long MAX_PENDING_BYTES = 32L << 20;

    /** A hint refused because the node holds {@link #MAX_PENDING_BYTES} of them already. */
    public static final class BacklogFull extends IOException {
        BacklogFull(long pending) {
            super(pending + " bytes of hinted writes wait to be replayed");
        }
    }

    /** One group's hints: its log, its pending hints in order, and the latest hinted value per key. */
    private final class GroupHints {
        final HintLog log;
        final TreeMap<Long, HintedWrite> pending = new TreeMap<>();
        final Map<String, HintedWrite> latestByKey = new LinkedHashMap<>();
        long highestId;

        GroupHints(HintLog.Opened opened) {
            this.log = opened.log();
            this.highestId = opened.highestId();
            opened.hints().forEach(this::remember);
        }

        void remember(HintedWrite hint) {
            if (pending.put(hint.id(), hint) == null) {
                pendingBytes += sizeOf(hint);
            }
            latestByKey.merge(hint.key(), hint, (a, b) -> b.id() > a.id() ? b : a);
        }
    }

    /**
     * @param appliedHere how far this node's replica of a group has applied this node's hints of
     *                    it: new ids are always above, even if the log lost its marker
     */
    public HintStore(Path dataDir, String self, IntToLongFunction appliedHere) throws IOException {
        this.dir = dataDir.resolve("hints");
        this.self = self;
        this.appliedHere = appliedHere;
        Files.createDirectories(dir);
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                String name = file.getFileName().toString();
                int group = Integer.parseInt(name.substring(0, name.length() - ".log".length()));
                groups.put(group, new GroupHints(HintLog.open(file)));
            }
        }
    }

    /**
     * Accepts a write of {@code key} for group {@code group}: it follows {@code current} (what
     * this node knows of the key, applied state and hints together) at this node's own site of
     * the version vector, and is on disk when this returns; a null {@code value} deletes the key
     * (the hint holds a tombstone). Empty, and nothing recorded, when
     * a view change has sealed the slot and this node still routes by {@code viewEpoch}.
     */
    public synchronized Optional<HintedWrite> accept(int group, int slot, String key, String value,
                                                     VersionedValue current, long nowMillis, long writeId,
                                                     CausalPayload deps, long viewEpoch) throws IOException {
        Seal seal = seals.get(group);
        if (seal != null && seal.covers(slot, viewEpoch)) {
            return Optional.empty();
        }
        if (pendingBytes + key.length() + (value == null ? 0 : value.length()) > MAX_PENDING_BYTES) {
            throw new BacklogFull(pendingBytes);
        }
        GroupHints hints = hintsOf(group);
        VersionedValue known = MergeRule.merge(current, overlay(group, key));
        long id = Math.max(hints.highestId, appliedHere.applyAsLong(group)) + 1;
        HintedWrite hint = new HintedWrite(id, slot, key,
                VersionedValue.acceptedAlone(known, value, nowMillis, self, deps), writeId);
        hints.log.append(hint);
        hints.highestId = hint.id();
        hints.remember(hint);
        return Optional.of(hint);
    }

    /**
     * Seals {@code slots} of {@code group} for a view change that moves them: from now until
     * this node routes by view {@code untilEpoch}, it accepts no hint for them. Returns the
     * pending hints of those slots with ids above {@code afterId}, in id order, up to about
     * {@code maxBytes}: every write this node acknowledged for the slots and the group may not
     * have applied, for the change to move with them (every hint of the group up to the page's
     * highest issued id that is not on a page is applied, or belongs to another group's slots).
     * Sealing again is harmless.
     */
    public synchronized HintPage seal(int group, BitSet slots, long untilEpoch, long afterId, int maxBytes) {
        Seal before = seals.get(group);
        BitSet sealed = (BitSet) slots.clone();
        long until = untilEpoch;
        if (before != null && before.untilEpoch() >= untilEpoch) {
            sealed.or(before.slots());
            until = before.untilEpoch();
        }
        seals.put(group, new Seal(sealed, until));
        GroupHints hints = groups.get(group);
        List<HintedWrite> page = new ArrayList<>();
        if (hints == null) {
            return new HintPage(page, 0, 0);
        }
        long bytes = 0;
        for (HintedWrite hint : hints.pending.tailMap(afterId, false).values()) {
            if (!slots.get(hint.slot())) {
                continue;
            }
            if (bytes >= maxBytes && !page.isEmpty()) {
                return new HintPage(page, page.get(page.size() - 1).id(), hints.highestId);
            }
            page.add(hint);
            bytes += PartitionCodec.sizeOf(hint);
        }
        return new HintPage(page, 0, hints.highestId);
    }

    /** The latest value this node accepted for {@code key} in {@code group} and the group has not applied, or null. */
    public synchronized VersionedValue overlay(int group, String key) {
        GroupHints hints = groups.get(group);
        HintedWrite hint = hints == null ? null : hints.latestByKey.get(key);
        return hint == null ? null : hint.value();
    }

    /** The id of that latest hint for {@code key}, or 0. */
    public synchronized long hintIdOf(int group, String key) {
        GroupHints hints = groups.get(group);
        HintedWrite hint = hints == null ? null : hints.latestByKey.get(key);
        return hint == null ? 0 : hint.id();
    }

    /** The highest hint id this node issued for {@code group}: every one up to it is pending here or applied. */
    public synchronized long highestIssued(int group) {
        GroupHints hints = groups.get(group);
        return hints == null ? 0 : hints.highestId;
    }

    /** How many hints of {@code group} wait to be applied by it. */
    public synchronized int pendingCount(int group) {
        GroupHints hints = groups.get(group);
        return hints == null ? 0 : hints.pending.size();
    }

    /** The oldest hints of {@code group} after hint {@code afterId} that wait to be applied, at most {@code max}. */
    public synchronized List<HintedWrite> pending(int group, long afterId, int max) {
        GroupHints hints = groups.get(group);
        return hints == null ? List.of()
                : hints.pending.tailMap(afterId, false).values().stream().limit(max).toList();
    }

    public synchronized Set<Integer> groupsWithHints() {
        Set<Integer> result = new java.util.TreeSet<>();
        groups.forEach((g, h) -> {
            if (!h.pending.isEmpty()) {
                result.add(g);
            }
        });
        return result;
    }

    /** The group applied every hint up to {@code id}: they are dropped here. */
    public synchronized void applied(int group, long id) throws IOException {
        GroupHints hints = groups.get(group);
        if (hints == null) {
            return;
        }
        Map<Long, HintedWrite> done = hints.pending.headMap(id, true);
        done.values().forEach(h -> pendingBytes -= sizeOf(h));
        done.clear();
        hints.latestByKey.values().removeIf(h -> h.id() <= id);
        if (hints.pending.isEmpty()) {
            hints.log.reset(hints.highestId);
        }
    }

    /** What a pending hint counts for against {@link #MAX_PENDING_BYTES}: its key and value. */
    public static long sizeOf(HintedWrite hint) {
        String value = hint.value().value();
        return hint.key().length() + (value == null ? 0 : value.length());
    }

    private GroupHints hintsOf(int group) throws IOException {
        GroupHints hints = groups.get(group);
        if (hints == null) {
            hints = new GroupHints(HintLog.open(dir.resolve(group + ".log")));
            groups.put(group, hints);
        }
        return hints;
    }

    @Override
    public synchronized void close() throws IOException {
        for (GroupHints hints : groups.values()) {
            hints.log.close();
        }
    }
}
