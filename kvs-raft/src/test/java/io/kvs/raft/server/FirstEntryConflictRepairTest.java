package io.kvs.raft.server;

import io.kvs.raft.server.FirstEntryConflictRepair.Progress;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FirstEntryConflictRepairTest {
    private static final Progress STUCK = new Progress(true, 0, 2, 0, 3);
    private final FirstEntryConflictRepair repair = new FirstEntryConflictRepair(null, () -> 0);
    private final RaftGroupId group = RaftGroupId.randomId();

    @Test
    void onlyAFollowerHoldingJustItsCommittedFirstEntryFromAnEarlierTermLooksStuck() {
        assertTrue(STUCK.looksStuck());
        assertFalse(new Progress(false, 0, 2, 0, 3).looksStuck(), "a leader, or a follower without one");
        assertFalse(new Progress(true, 1, 3, 0, 3).looksStuck(), "it appended more");
        assertFalse(new Progress(true, 0, 2, -1, 3).looksStuck(), "its first entry is not taken as committed");
        assertFalse(new Progress(true, 0, 3, 0, 3).looksStuck(), "its entry is from its leader's term");
        assertFalse(new Progress(true, -1, -1, -1, 3).looksStuck(), "an empty replica catching up");
    }

    @Test
    void repairsOnlyOnceTheStateHasLastedWithoutABreak() {
        long limit = FirstEntryConflictRepair.STUCK_FOR_MILLIS;
        assertFalse(repair.shouldRepair(group, STUCK, 1_000));
        assertFalse(repair.shouldRepair(group, STUCK, 1_000 + limit - 1));
        assertTrue(repair.shouldRepair(group, STUCK, 1_000 + limit));
    }

    @Test
    void progressInBetweenStartsTheWaitAgain() {
        long limit = FirstEntryConflictRepair.STUCK_FOR_MILLIS;
        assertFalse(repair.shouldRepair(group, STUCK, 0));
        assertFalse(repair.shouldRepair(group, new Progress(true, 3, 3, 3, 3), limit / 2));
        assertFalse(repair.shouldRepair(group, STUCK, limit));
        assertFalse(repair.shouldRepair(group, STUCK, limit + limit / 2));
        assertTrue(repair.shouldRepair(group, STUCK, 2 * limit));
    }
}
