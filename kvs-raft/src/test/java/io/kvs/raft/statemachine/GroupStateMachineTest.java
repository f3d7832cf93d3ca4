package io.kvs.raft.statemachine;

import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupStateMachineTest {
    private final GroupStateMachine replica = new GroupStateMachine() {
    };

    @Test
    void timeWithoutALeaderRunsFromTheFirstLookThatFoundNone() {
        assertEquals(Duration.ZERO, replica.withoutLeaderFor(true));
        Duration first = replica.withoutLeaderFor(false);
        assertTrue(first.compareTo(Duration.ofMillis(200)) < 0, "the clock starts at the first look: " + first);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.withoutLeaderFor(false).toMillis() >= 50);
    }

    @Test
    void aLeaderKnownOrElectedStopsTheClock() {
        replica.withoutLeaderFor(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.withoutLeaderFor(false).toMillis() >= 200);
        assertEquals(Duration.ZERO, replica.withoutLeaderFor(true));
        assertTrue(replica.withoutLeaderFor(false).toMillis() < 200, "a new loss is timed afresh");

        await().atMost(Duration.ofSeconds(5)).until(() -> replica.withoutLeaderFor(false).toMillis() >= 200);
        RaftPeerId leader = RaftPeerId.valueOf("n1");
        replica.notifyLeaderChanged(RaftGroupMemberId.valueOf(leader, RaftGroupId.randomId()), leader);
        assertTrue(replica.withoutLeaderFor(false).toMillis() < 200, "an election stops the clock too");
    }
}
