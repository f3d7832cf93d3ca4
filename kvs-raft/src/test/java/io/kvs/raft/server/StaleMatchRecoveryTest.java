package io.kvs.raft.server;

import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.partition.PartitionCommand;
import org.apache.ratis.server.RaftServer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;


/**
 * A follower that comes back without entries it had acknowledged (its log files gone), to an
 * idle group: its leader's match index for it is above what it holds, the state that once left a
 * metadata replica behind for minutes. It must catch up without another write to the group.
 */
class StaleMatchRecoveryTest {

    @Test
    void aFollowerBehindItsMatchIndexCatchesUpInAnIdleGroup(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            PartitionClient client = cluster.awaitLeaderClient();
            for (int i = 0; i < 20; i++) {
                client.put(cluster.group, new PartitionCommand.Put(0, "k" + i, "v" + i)).get(10, TimeUnit.SECONDS);
            }
            int leader = IntStream.range(0, 3).filter(i -> division(cluster, i).getInfo().isLeader()).findFirst()
                    .orElseThrow();
            int follower = (leader + 1) % 3;
            long last = division(cluster, leader).getRaftLog().getLastEntryTermIndex().getIndex();
            awaitApplied(cluster, follower, last, "before the restart");

            cluster.stop(follower);
            deleteLogAndSnapshots(dir.resolve("n" + follower).toFile());
            cluster.start(follower);

            awaitApplied(cluster, follower, last, "with no write since it came back");
        }
    }

    private static RaftServer.Division division(LocalRaftCluster cluster, int i) {
        return cluster.servers[i].division(cluster.group.getGroupId()).orElseThrow();
    }

    private static void awaitApplied(LocalRaftCluster cluster, int i, long index, String when) {
        Awaitility.await("follower n" + i + " to apply index " + index + " " + when).atMost(Duration.ofSeconds(15))
                .until(() -> cluster.servers[i].division(cluster.group.getGroupId())
                        .map(d -> d.getInfo().getLastAppliedIndex()).orElse(-1L) >= index);
    }

    /** The group's log segments and snapshots (one is taken as it stops); its term and vote stay. */
    private static void deleteLogAndSnapshots(File nodeDir) throws IOException {
        try (Stream<Path> files = Files.walk(nodeDir.toPath())) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("log_")
                    || f.getFileName().toString().startsWith("snapshot.")).toList()) {
                Files.delete(file);
            }
        }
    }
}
