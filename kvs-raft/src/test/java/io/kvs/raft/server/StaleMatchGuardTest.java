package io.kvs.raft.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StaleMatchGuardTest {
    private static final long MS = 1_000_000;
    private final StaleMatchGuard guard = new StaleMatchGuard();

    /** The stuck follower: match index 1, it holds index 0 only, so it answers "from 1"; Ratis says 2. */
    private long stuckAnswer(long nowNanos) {
        return guard.nextIndex(2, 1, 1, nowNanos);
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
        assertEquals(5, guard.nextIndex(5, 5, 4, 600 * MS), "an answer Ratis takes as it is");
        assertEquals(2, stuckAnswer(1_000 * MS));
        assertEquals(2, stuckAnswer(1_500 * MS));
        assertEquals(2, stuckAnswer(1_900 * MS));
        assertEquals(1, stuckAnswer(2_000 * MS));
    }

    /**
     * A follower whose first entry differs from the leader's: it asks for 1 after a heartbeat
     * naming entry 1 and for 0 after entries from 1; Ratis sends from 2 after either.
     */
    @Test
    void aFollowerAskingForDifferentIndexesInTurnIsSentTheLowest() {
        long[] answers = {1, 0, 1, 0, 1};
        for (int i = 0; i < answers.length - 1; i++) {
            assertEquals(2, guard.nextIndex(2, answers[i], 1, i * 300 * MS));
        }
        assertEquals(0, guard.nextIndex(2, answers[answers.length - 1], 1, 1_200 * MS));
    }

    @Test
    void aMatchIndexThatMovesStartsTheCountAgain() {
        guard.nextIndex(5, 3, 4, 0);
        guard.nextIndex(5, 3, 4, 500 * MS);
        assertEquals(7, guard.nextIndex(7, 3, 6, 1_000 * MS), "the follower acknowledged entries meanwhile");
        assertEquals(7, guard.nextIndex(7, 3, 6, 1_500 * MS));
        assertEquals(3, guard.nextIndex(7, 3, 6, 2_000 * MS));
    }

    @Test
    void leavesRatisAloneWhereTheMatchIndexIsNotInQuestion() {
        for (int i = 0; i < 10; i++) {
            long now = i * 500 * MS;
            assertEquals(7, guard.nextIndex(7, 7, 6, now), "the follower asks for what Ratis sends");
            assertEquals(3, guard.nextIndex(3, 3, 2, now), "the follower asks beyond its match index");
            assertEquals(4, guard.nextIndex(4, 5, 6, now), "Ratis sends from before what the follower asks");
        }
    }
}
