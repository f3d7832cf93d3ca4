package io.kvs.raft.server;

import io.kvs.raft.server.FirstEntryConflictRepair.Progress;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FirstEntryConflictRepairTest {
    private static final Progress STUCK = new Progress(true, 0, 0, 5);
    private final FirstEntryConflictRepair repair = new FirstEntryConflictRepair(null, () -> 0);
    private final RaftGroupId group = RaftGroupId.randomId();

    @Test
    void onlyAFollowerHoldingJustItsCommittedFirstEntryWhileTheGroupMovedOnLooksStuck() {
        assertTrue(STUCK.looksStuck());
        assertFalse(new Progress(false, 0, 0, 5).looksStuck(), "a leader, or a follower without one");
        assertFalse(new Progress(true, 1, 0, 5).looksStuck(), "it appended more");
        assertFalse(new Progress(true, 0, -1, 5).looksStuck(), "its first entry is not taken as committed");
        assertFalse(new Progress(true, 0, 0, 0).looksStuck(), "the group has committed nothing more");
        assertFalse(new Progress(true, -1, -1, 5).looksStuck(), "an empty replica catching up");
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
        assertFalse(repair.shouldRepair(group, new Progress(true, 3, 3, 5), limit / 2));
        assertFalse(repair.shouldRepair(group, STUCK, limit));
        assertFalse(repair.shouldRepair(group, STUCK, limit + limit / 2));
        assertTrue(repair.shouldRepair(group, STUCK, 2 * limit));
    }
}
