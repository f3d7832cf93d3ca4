package io.kvs.raft.server;

import java.util.concurrent.TimeUnit;

/**
 * Decides when a follower's "send me entries from n" must win over the match index its leader
 * holds for it.
 *
 * <p>Ratis ({@code LogAppenderBase.getNextIndexForInconsistency}, 3.3.0) answers a follower's
 * INCONSISTENCY reply to a heartbeat with the match index + 1 whenever that is higher, so that
 * a stale reply (the follower had not yet appended what it then acknowledged) does not send the
 * whole log again. If the follower really lacks the entry at its match index, every heartbeat
 * ends the same way and the follower never catches up: a fresh 4-node cluster on a loaded
 * machine once had a follower of the metadata group stuck so for minutes (leader's match index
 * 1, the follower holding index 0 only), and it never learned the view; a new leader cured it.
 * A follower that comes back without the entries it acknowledged, to a group with no new writes,
 * is stuck the same way ({@code StaleMatchRecoveryTest}).
 *
 * <p>A stale reply is superseded within one round, so the follower's answer is taken once it
 * has repeated for {@link #REPEATS} answers and {@link #PERSISTS_NANOS}. That only sends
 * entries from an earlier index, which is always safe: the follower's log consistency check
 * decides what it keeps.
 */
final class StaleMatchGuard {
    static final int REPEATS = 3;
    static final long PERSISTS_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The next index the follower keeps asking for below its match index; -1 if none. */
    private long askedNext = -1;
    private long askedSinceNanos;
    private int repeats;

    /**
     * The next index to send from, given Ratis' choice and the follower's answer to a request
     * whose first entry was {@code requestFirstIndex} (-1 for a heartbeat).
     */
    synchronized long nextIndex(long ratisNext, long replyNextIndex, long requestFirstIndex, long matchIndex,
                                long nowNanos) {
        boolean overruled = ratisNext > replyNextIndex && requestFirstIndex < 0 && replyNextIndex <= matchIndex;
        if (!overruled) {
            askedNext = -1;
            return ratisNext;
        }
        if (replyNextIndex != askedNext) {
            askedNext = replyNextIndex;
            askedSinceNanos = nowNanos;
            repeats = 0;
        }
        repeats++;
        if (repeats >= REPEATS && nowNanos - askedSinceNanos >= PERSISTS_NANOS) {
            askedNext = -1;
            return replyNextIndex;
        }
        return ratisNext;
    }
}
