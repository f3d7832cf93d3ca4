package io.kvs.raft.server;

import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Works around a Ratis follower bug that leaves a replica of a group behind for good.
 *
 * <p>When a group's first leader steps down before its first entry (index 0, a configuration
 * entry) is committed, a follower may keep that entry while the next leader commits a different
 * one at index 0. The next leader then sends that follower a heartbeat with no previous entry,
 * and Ratis computes the follower's commit index from it as 0 where it should be -1
 * ({@code ServerImplUtils.effectiveCommitIndex}, Ratis 3.3.0). The follower takes its own stale
 * entry as committed, refuses every later append that would replace it, and never catches up.
 * A loaded machine makes that first step-down likely: it happened to a seven-node metadata group
 * starting on two cores.
 *
 * <p>Such a replica holds nothing but that one configuration entry, so it is safe to start again:
 * its storage is deleted and the group rejoined empty, and the leader sends it the whole log.
 * Its recorded term and vote go with it, so the repair waits until a leader of that term has
 * been seen (its election is over) and the condition has lasted {@link #STUCK_FOR_MILLIS}, so
 * that a follower that is merely slow is left alone. The replica's role may flap meanwhile (a
 * follower whose appends keep failing starts pre-votes it cannot win): only what its log shows
 * counts, not whether it is a follower at the moment it is looked at.
 */
public final class FirstEntryConflictRepair {
    private static final Logger LOG = LoggerFactory.getLogger(FirstEntryConflictRepair.class);
    static final long STUCK_FOR_MILLIS = 10_000;

    /** What a division shows about its log, enough to tell the stuck state. */
    record Progress(boolean leader, boolean leaderKnown, long lastIndex, long lastTerm, long commitIndex,
                    long currentTerm) {
        /**
         * Only its first entry, taken as committed, from a term before the one it is in. A
         * healthy replica gets the entry every new leader writes within moments; this one
         * refuses it. (The leader's commit index cannot be used: a replica in this state takes
         * no commit information from a leader whose appends it refuses.)
         */
        boolean looksStuck() {
            return !leader && lastIndex == 0 && commitIndex == 0 && currentTerm > lastTerm;
        }
    }

    /** Since when a group has looked stuck, and whether a leader of its term was seen meanwhile. */
    private record Stuck(long since, long term, boolean leaderSeen) {
    }

    private final NodeRaftServer raft;
    private final LongSupplier clockMillis;
    private final Map<RaftGroupId, Stuck> stuck = new HashMap<>();

    public FirstEntryConflictRepair(NodeRaftServer raft, LongSupplier clockMillis) {
        this.raft = raft;
        this.clockMillis = clockMillis;
    }

    /** Looks at every hosted group once; restarts those stuck long enough. Call from one thread. */
    public void check() {
        long now = clockMillis.getAsLong();
        stuck.keySet().retainAll(raft.groupIds());
        for (RaftGroupId id : raft.groupIds()) {
            try {
                // A division that closed itself (this node was removed from the group) has no log to
                // look at; whatever rejoins the group later starts it again.
                Optional<RaftServer.Division> division = raft.division(id).filter(d -> d.getInfo().isAlive());
                if (division.isEmpty()) {
                    stuck.remove(id);
                    continue;
                }
                if (!shouldRepair(id, progressOf(division.get()), now)) {
                    continue;
                }
                LOG.warn("group {}: this replica holds a first entry the group replaced, taken as committed "
                        + "(a Ratis follower bug); starting its replica again from the leader", id);
                raft.rejoinEmpty(division.get().getGroup());
                stuck.remove(id);
            } catch (IOException | RuntimeException e) {
                // A division closing under us (the group was just left) is not worth more than a line.
                LOG.warn("group {}: could not check or restart its replica: {}", id, e.toString());
            }
        }
    }

    /**
     * Whether {@code id} has looked stuck without a break, in one term, for {@link #STUCK_FOR_MILLIS}
     * by {@code now}, with a leader of that term seen meanwhile.
     */
    boolean shouldRepair(RaftGroupId id, Progress progress, long now) {
        if (!progress.looksStuck()) {
            stuck.remove(id);
            return false;
        }
        Stuck before = stuck.get(id);
        if (before == null || before.term() != progress.currentTerm()) {
            LOG.info("group {}: this replica holds only its first entry, of an earlier term, taken as committed ({}); "
                    + "watching it", id, progress);
            before = new Stuck(now, progress.currentTerm(), false);
        }
        Stuck next = new Stuck(before.since(), before.term(), before.leaderSeen() || progress.leaderKnown());
        stuck.put(id, next);
        return next.leaderSeen() && now - next.since() >= STUCK_FOR_MILLIS;
    }

    private static Progress progressOf(RaftServer.Division division) {
        TermIndex last = division.getRaftLog().getLastEntryTermIndex();
        return new Progress(division.getInfo().isLeader(), division.getInfo().getLeaderId() != null,
                last == null ? -1 : last.getIndex(), last == null ? -1 : last.getTerm(),
                division.getRaftLog().getLastCommittedIndex(), division.getInfo().getCurrentTerm());
    }
}
