package io.kvs.raft.client;

import io.kvs.core.view.NodeAddress;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.server.TestAddresses;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.partition.ReadReply;
import io.kvs.raft.server.LocalRaftCluster;
import io.kvs.raft.server.NodeRaftServer;
import io.kvs.raft.storage.TestStoreMemory;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.util.LifeCycle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Replacing a member of a two-member group: the new member catches up through Raft, no keys move. */
class GroupAdminTest {

    @Test
    void replaceOneOfTwoMembers(@TempDir Path dir) throws Exception {
        replaceOneOfTwo(dir, false);
    }

    /** The leader has a snapshot, so the new member starts from it: it installs and loads it. */
    @Test
    void replaceOneOfTwoMembersWhoseLeaderHasASnapshot(@TempDir Path dir) throws Exception {
        replaceOneOfTwo(dir, true);
    }

    private static void replaceOneOfTwo(Path dir, boolean snapshotFirst) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 2)) {
            PartitionClient client = cluster.awaitLeaderClient();
            for (int i = 0; i < 50; i++) {
                client.put(cluster.group, new PartitionCommand.Put(0, "k" + i, "v" + i)).get(10, TimeUnit.SECONDS);
            }
            if (snapshotFirst) {
                for (int i = 0; i < 2; i++) {
                    cluster.stateMachine(i).takeSnapshot(); // not on the apply thread, but nothing is being applied
                }
            }
            NodeAddress newcomer = TestAddresses.next();
            try (NodeRaftServer third = new NodeRaftServer(newcomer, newcomer.host(), dir.resolve("n2"), cluster.peers,
                    gid -> new PartitionStateMachine(newcomer.toString(), System::currentTimeMillis, TestStoreMemory.SHARED))) {
                third.start();
                List<NodeAddress> target = List.of(cluster.nodes.get(1), newcomer);
                third.joinGroup(cluster.peers.group(cluster.group.getGroupId(), target));
                // Until its leader adds it, the new replica waits (Ratis keeps it STARTING) and
                // runs no election timer: one that fired after installing a snapshot from before
                // the change would find it outside its configuration and shut it down for good.
                Thread.sleep(1_000); // twice the longest election timeout: a timer would have fired
                assertEquals(LifeCycle.State.STARTING,
                        third.division(cluster.group.getGroupId()).orElseThrow().getInfo().getLifeCycleState());

                List<NodeAddress> union = List.of(cluster.nodes.get(0), cluster.nodes.get(1), newcomer);
                GroupAdmin.setMembers(cluster.group, union.stream().map(cluster.peers::peer).toList());
                RaftGroup unionGroup = cluster.peers.group(cluster.group.getGroupId(), union);
                GroupAdmin.setMembers(unionGroup, target.stream().map(cluster.peers::peer).toList());

                RaftGroup after = cluster.peers.group(cluster.group.getGroupId(), target);
                cluster.stop(0);
                LocalRaftCluster.awaitLeader(client, after); // the old leader is gone: an election follows
                for (int i = 0; i < 50; i++) {
                    ReadReply read = client.read(after, new PartitionQuery.Get(0, "k" + i, Map.of())).get(10, TimeUnit.SECONDS);
                    assertEquals("v" + i, read.value().value());
                }
                PartitionStateMachine replica = third.stateMachine(cluster.group.getGroupId(), PartitionStateMachine.class)
                        .orElseThrow();
                assertEquals(50, replica.size(), "the new member holds every key");
                if (snapshotFirst) {
                    assertNotNull(replica.getLatestSnapshot(), "the new member installed the leader's snapshot");
                }
            }
        }
    }
}
