package io.kvs.raft.partition;

import io.kvs.raft.storage.TestStoreMemory;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaderAbsenceTest {
    private final LeaderAbsence absence = new LeaderAbsence();

    @Test
    void timeWithoutALeaderRunsFromTheFirstLookThatFoundNone() {
        assertEquals(Duration.ZERO, absence.lasting(true));
        Duration first = absence.lasting(false);
        assertTrue(first.compareTo(Duration.ofMillis(200)) < 0, "the clock starts at the first look: " + first);
        await().atMost(Duration.ofSeconds(5)).until(() -> absence.lasting(false).toMillis() >= 50);
    }

    @Test
    void aLeaderKnownOrElectedStopsTheClock() {
        absence.lasting(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> absence.lasting(false).toMillis() >= 200);
        assertEquals(Duration.ZERO, absence.lasting(true));
        assertTrue(absence.lasting(false).toMillis() < 200, "a new loss is timed afresh");

        await().atMost(Duration.ofSeconds(5)).until(() -> absence.lasting(false).toMillis() >= 200);
        absence.leaderChanged();
        assertTrue(absence.lasting(false).toMillis() < 200, "an election stops the clock too");
    }

    @Test
    void aPartitionReplicaStopsItsClockWhenRatisTellsItOfALeader() {
        PartitionStateMachine replica = new PartitionStateMachine("n1", System::currentTimeMillis, TestStoreMemory.SHARED);
        replica.withoutLeaderFor(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> replica.withoutLeaderFor(false).toMillis() >= 200);
        RaftPeerId leader = RaftPeerId.valueOf("n1");
        replica.notifyLeaderChanged(RaftGroupMemberId.valueOf(leader, RaftGroupId.randomId()), leader);
        assertTrue(replica.withoutLeaderFor(false).toMillis() < 200, "an election stops the clock");
    }
}
