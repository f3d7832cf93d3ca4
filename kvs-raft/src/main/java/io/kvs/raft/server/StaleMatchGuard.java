package io.kvs.raft.server;

import java.util.concurrent.TimeUnit;

/**
 * Decides when a follower's "send me entries from n" must win over the match index its leader
 * holds for it.
 *
 * <p>Ratis ({@code LogAppenderBase.getNextIndexForInconsistency}, 3.3.0) answers a follower's
 * INCONSISTENCY reply with the match index + 1 whenever that is higher (and is not where the
 * refused request started), so that a stale reply (the follower had not yet appended what it
 * then acknowledged) does not send the whole log again. If the follower really lacks the entry
 * at its match index, every round ends the same way and the follower never catches up. A
 * follower that comes back without the entries it acknowledged, to a group with no new writes,
 * is stuck so ({@code StaleMatchRecoveryTest}); so was one that acknowledged entries it never
 * wrote, which Ratis' composed appends did at group starts until {@link RaftTuning} turned them off.
 *
 * <p>The follower may ask for different indexes in turn: one whose first entry differs from the
 * leader's asks for n + 1 after a heartbeat naming entry n + 1 and for n after entries from
 * n + 1, and Ratis overrules both. So what counts is that the follower keeps asking for
 * entries below its match index while that index stands still: once it has done so for
 * {@link #REPEATS} answers and {@link #PERSISTS_NANOS}, entries are sent from the lowest index
 * it asked for. A stale reply is superseded within one round, and a follower that acknowledges
 * new entries moves its match index, which starts the count again. Sending from an earlier index
 * is always safe: the follower's log consistency check decides what it keeps.
 */
final class StaleMatchGuard {
    static final int REPEATS = 3;
    static final long PERSISTS_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The match index the follower's overruled answers were given against; -1 if none is counted. */
    private long countedMatch = -1;
    private long lowestAsked;
    private long askingSinceNanos;
    private int repeats;

    /** The next index to send from, given Ratis' choice and the follower's answer. */
    synchronized long nextIndex(long ratisNext, long replyNextIndex, long matchIndex, long nowNanos) {
        boolean overruled = ratisNext > replyNextIndex && replyNextIndex <= matchIndex;
        if (!overruled) {
            countedMatch = -1;
            return ratisNext;
        }
        if (matchIndex != countedMatch) {
            countedMatch = matchIndex;
            lowestAsked = replyNextIndex;
            askingSinceNanos = nowNanos;
            repeats = 0;
        }
        lowestAsked = Math.min(lowestAsked, replyNextIndex);
        repeats++;
        if (repeats >= REPEATS && nowNanos - askingSinceNanos >= PERSISTS_NANOS) {
            countedMatch = -1;
            return lowestAsked;
        }
        return ratisNext;
    }
}
