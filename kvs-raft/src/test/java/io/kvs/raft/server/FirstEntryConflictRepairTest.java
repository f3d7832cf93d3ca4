package io.kvs.raft.server;

import io.kvs.raft.server.FirstEntryConflictRepair.Progress;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FirstEntryConflictRepairTest {
    /** A follower of a term-3 leader holding only its first entry, of term 2, taken as committed. */
    private static final Progress STUCK = new Progress(false, true, 0, 2, 0, 3);
    /** The same replica between two leader heartbeats, trying a pre-vote it cannot win. */
    private static final Progress STUCK_CANDIDATE = new Progress(false, false, 0, 2, 0, 3);
    private static final long LIMIT = FirstEntryConflictRepair.STUCK_FOR_MILLIS;
    private final FirstEntryConflictRepair repair = new FirstEntryConflictRepair(null, () -> 0);
    private final RaftGroupId group = RaftGroupId.randomId();

    @Test
    void onlyAReplicaHoldingJustItsCommittedFirstEntryFromAnEarlierTermLooksStuck() {
        assertTrue(STUCK.looksStuck());
        assertTrue(STUCK_CANDIDATE.looksStuck(), "whatever its role at the moment");
        assertFalse(new Progress(true, true, 0, 2, 0, 3).looksStuck(), "a leader");
        assertFalse(new Progress(false, true, 1, 3, 0, 3).looksStuck(), "it appended more");
        assertFalse(new Progress(false, true, 0, 2, -1, 3).looksStuck(), "its first entry is not taken as committed");
        assertFalse(new Progress(false, true, 0, 3, 0, 3).looksStuck(), "its entry is from its leader's term");
        assertFalse(new Progress(false, true, -1, -1, -1, 3).looksStuck(), "an empty replica catching up");
    }

    @Test
    void repairsOnlyOnceTheStateHasLastedWithoutABreak() {
        assertFalse(repair.shouldRepair(group, STUCK, 1_000));
        assertFalse(repair.shouldRepair(group, STUCK, 1_000 + LIMIT - 1));
        assertTrue(repair.shouldRepair(group, STUCK, 1_000 + LIMIT));
    }

    @Test
    void progressInBetweenStartsTheWaitAgain() {
        assertFalse(repair.shouldRepair(group, STUCK, 0));
        assertFalse(repair.shouldRepair(group, new Progress(false, true, 3, 3, 3, 3), LIMIT / 2));
        assertFalse(repair.shouldRepair(group, STUCK, LIMIT));
        assertFalse(repair.shouldRepair(group, STUCK, LIMIT + LIMIT / 2));
        assertTrue(repair.shouldRepair(group, STUCK, 2 * LIMIT));
    }

    /** The state CI's failed CrashRecoveryIT showed: the replica flaps between follower and candidate. */
    @Test
    void aReplicaWhoseRoleFlapsIsRepairedOnceItsTermHadALeader() {
        assertFalse(repair.shouldRepair(group, STUCK_CANDIDATE, 0));
        assertFalse(repair.shouldRepair(group, STUCK, 2_000));
        assertFalse(repair.shouldRepair(group, STUCK_CANDIDATE, 4_000));
        assertTrue(repair.shouldRepair(group, STUCK_CANDIDATE, LIMIT), "a leader of term 3 was seen");
    }

    /** Its vote goes with its storage: no repair while no leader of its term has been seen (the election may go on). */
    @Test
    void aReplicaThatNeverSawALeaderOfItsTermIsLeftAlone() {
        assertFalse(repair.shouldRepair(group, STUCK_CANDIDATE, 0));
        assertFalse(repair.shouldRepair(group, STUCK_CANDIDATE, 5 * LIMIT));
        assertFalse(repair.shouldRepair(group, new Progress(false, true, 0, 2, 0, 4), 6 * LIMIT),
                "a leader of a later term starts the wait again");
        assertTrue(repair.shouldRepair(group, new Progress(false, false, 0, 2, 0, 4), 7 * LIMIT));
    }
}
