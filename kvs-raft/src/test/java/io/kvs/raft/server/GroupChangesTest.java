package io.kvs.raft.server;

import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a node's Raft server forms, joins and leaves groups beside the ones it runs. */
class GroupChangesTest {

    @Test
    void theFounderThatJoinsLastAndCampaignsLeadsTheNewGroup(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            for (int round = 0; round < 3; round++) {
                RaftGroup formed = newGroup(cluster);
                assertFalse(cluster.servers[1].found(formed, false));
                assertFalse(cluster.servers[2].found(formed, false));
                assertTrue(cluster.servers[0].found(formed, true), "the last founder starts an election");

                // The others' first election timeout is half a second at least: the campaign is decided well before.
                RaftServer.Division leader = awaitLeader(cluster, formed);
                assertEquals(cluster.servers[0].division(formed.getGroupId()).orElseThrow(), leader);
                assertEquals(1, leader.getInfo().getCurrentTerm(), "one election");
            }
        }
    }

    @Test
    void aCampaignBeforeTheOtherFoundersJoinedLeavesTheGroupToElectLater(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            RaftGroup formed = newGroup(cluster);
            cluster.servers[0].found(formed, true);
            cluster.servers[1].found(formed, false);
            cluster.servers[2].found(formed, false);
            awaitLeader(cluster, formed);
        }
    }

    @Test
    void aReplicaThatHoldsTheGroupAlreadyDoesNotCampaign(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            cluster.awaitLeaderClient();
            assertFalse(cluster.servers[0].found(cluster.group, true));
        }
    }

    @Test
    void aLeaveDeletesTheReplicaAndAJoinAfterItWaitsForIt(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            cluster.awaitLeaderClient();
            RaftGroupId id = cluster.group.getGroupId();
            Path storage = dir.resolve("n0").resolve("raft").resolve(id.getUuid().toString());
            assertTrue(Files.exists(storage));

            cluster.servers[0].leave(id).get(10, TimeUnit.SECONDS);
            assertFalse(cluster.servers[0].hosts(id));
            assertFalse(Files.exists(storage), "a left group's storage is deleted");

            // Queued behind a leave of the same group, a join runs after it: the replica is there at the end.
            // Two other leaves first hold the threads that leave groups, so that this one waits in the queue.
            for (int i = 0; i < 2; i++) {
                RaftGroup other = newGroup(cluster);
                cluster.servers[1].found(other, false);
                cluster.servers[1].leave(other.getGroupId());
            }
            var leave = cluster.servers[1].leave(id);
            cluster.servers[1].addGroup(cluster.group);
            leave.get(10, TimeUnit.SECONDS);
            assertTrue(cluster.servers[1].hosts(id));
        }
    }

    private static RaftGroup newGroup(LocalRaftCluster cluster) {
        return cluster.peers.group(RaftGroupId.valueOf(UUID.randomUUID()), cluster.nodes);
    }

    private static RaftServer.Division awaitLeader(LocalRaftCluster cluster, RaftGroup group) {
        RaftServer.Division[] leader = new RaftServer.Division[1];
        Awaitility.await("group " + group.getGroupId() + " to elect a leader").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    for (NodeRaftServer server : cluster.servers) {
                        RaftServer.Division division = server.division(group.getGroupId()).orElse(null);
                        if (division != null && division.getInfo().isLeader()) {
                            leader[0] = division;
                            return true;
                        }
                    }
                    return false;
                });
        return leader[0];
    }
}
