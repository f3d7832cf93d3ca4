package io.kvs.raft.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StaleMatchGuardTest {
    private static final long HEARTBEAT = -1;
    private static final long MS = 1_000_000;
    private final StaleMatchGuard guard = new StaleMatchGuard();

    /** The stuck follower: match index 1, it holds index 0 only, so it answers "from 1"; Ratis says 2. */
    private long stuckAnswer(long nowNanos) {
        return guard.nextIndex(2, 1, HEARTBEAT, 1, nowNanos);
    }

    @Test
    void aFollowerRepeatingItsAnswerBelowItsMatchIndexIsBelievedAfterASecond() {
        assertEquals(2, stuckAnswer(0), "once is a stale reply: Ratis decides");
        assertEquals(2, stuckAnswer(200 * MS));
        assertEquals(2, stuckAnswer(400 * MS), "three answers, but not yet for a second");
        assertEquals(1, stuckAnswer(1_000 * MS));
        assertEquals(2, stuckAnswer(1_100 * MS), "believed once, then it must repeat again");
    }

    @Test
    void manyAnswersInAMomentAreStillAStaleReply() {
        for (int i = 0; i < 50; i++) {
            assertEquals(2, stuckAnswer(i * MS));
        }
    }

    @Test
    void anyOtherAnswerInBetweenStartsTheCountAgain() {
        stuckAnswer(0);
        stuckAnswer(500 * MS);
        assertEquals(5, guard.nextIndex(5, 5, HEARTBEAT, 4, 600 * MS), "an answer Ratis takes as it is");
        assertEquals(2, stuckAnswer(1_000 * MS));
        assertEquals(2, stuckAnswer(1_500 * MS));
        assertEquals(2, stuckAnswer(1_900 * MS));
        assertEquals(1, stuckAnswer(2_000 * MS));
    }

    @Test
    void leavesRatisAloneWhereTheMatchIndexIsNotInQuestion() {
        for (int i = 0; i < 10; i++) {
            long now = i * 500 * MS;
            assertEquals(7, guard.nextIndex(7, 3, 4, 6, now), "a reply to entries, not a heartbeat");
            assertEquals(7, guard.nextIndex(7, 7, HEARTBEAT, 6, now), "the follower asks for what Ratis sends");
            assertEquals(3, guard.nextIndex(3, 3, HEARTBEAT, 2, now), "the follower asks beyond its match index");
        }
    }
}
