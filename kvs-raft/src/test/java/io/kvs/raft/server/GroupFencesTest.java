package io.kvs.raft.server;

import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.partition.PartitionCommand;
import org.apache.ratis.protocol.RaftGroupId;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GroupFencesTest {

    @Test
    void fencesAreKeptAcrossARestartUntilTheirEpoch(@TempDir Path dir) throws IOException {
        RaftGroupId a = RaftGroupId.valueOf(UUID.randomUUID());
        RaftGroupId b = RaftGroupId.valueOf(UUID.randomUUID());
        GroupFences fences = new GroupFences(dir);
        fences.fence(a, 5);
        fences.fence(b, 7);
        assertTrue(fences.isFenced(a));

        GroupFences reopened = new GroupFences(dir);
        assertTrue(reopened.isFenced(a) && reopened.isFenced(b));
        reopened.liftThrough(6);
        assertFalse(reopened.isFenced(a));
        assertTrue(reopened.isFenced(b));
        assertFalse(new GroupFences(dir).isFenced(a), "a lifted fence stays lifted");
        assertEquals(GroupFences.HEADER, Files.readAllLines(dir.resolve("fences")).get(0));
    }

    @Test
    void aFileOfAnotherFormatIsRefused(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("fences"), "kvs-fences 2\n", StandardCharsets.UTF_8);
        IOException refused = assertThrows(IOException.class, () -> new GroupFences(dir));
        assertTrue(refused.getMessage().contains("format 1"), refused.getMessage());
        Files.writeString(dir.resolve("fences"), GroupFences.HEADER + "\nnot-a-uuid 3\n", StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> new GroupFences(dir));
    }

    /** With one of its two replicas fenced (leader or follower, before or after a restart) a group commits nothing. */
    @Test
    void aGroupWithAFencedReplicaCommitsNothingUntilTheFenceIsLifted(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 2)) {
            PartitionClient client = cluster.awaitLeaderClient();
            assertNotNull(client.put(cluster.group, new PartitionCommand.Put(1, "k", "before")).get(10, TimeUnit.SECONDS));
            for (int fenced = 0; fenced < 2; fenced++) {
                cluster.servers[fenced].fences().fence(cluster.group.getGroupId(), 3);
                assertNoCommit(client, cluster);
                cluster.stop(fenced);
                cluster.start(fenced);
                assertNoCommit(client, cluster);
                cluster.servers[fenced].fences().liftThrough(3);
                Awaitility.await("a write once the fence is lifted").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .until(() -> client.put(cluster.group, new PartitionCommand.Put(1, "k", "after"))
                                .get(5, TimeUnit.SECONDS) != null);
            }
        }
    }

    private static void assertNoCommit(PartitionClient client, LocalRaftCluster cluster) {
        assertThrows(Exception.class, () -> client.put(cluster.group, new PartitionCommand.Put(1, "k", "fenced"))
                .get(4, TimeUnit.SECONDS), "a write committed in a group with a fenced replica");
    }
}
