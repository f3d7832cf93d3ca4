package io.kvs.raft.partition;

import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.server.LocalRaftCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A partition group of three real Ratis servers on loopback. */
class PartitionGroupTest {

    @Test
    void writesAreReadBackThroughTheLeader(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3, 1, 7001)) {
            PartitionClient client = new PartitionClient(cluster.clients);
            WriteReply first = client.write(cluster.group, new PartitionCommand.Put(5, "k", "v1")).get(10, TimeUnit.SECONDS);
            assertEquals(WriteReply.Status.CREATED, first.status());
            WriteReply second = client.write(cluster.group, new PartitionCommand.Put(5, "k", "v2")).get(10, TimeUnit.SECONDS);
            assertEquals(WriteReply.Status.UPDATED, second.status());
            assertEquals(2, second.stored().version().raft());
            ReadReply read = client.read(cluster.group, new PartitionQuery(5, "k", Map.of())).get(10, TimeUnit.SECONDS);
            assertEquals(ReadReply.Status.FOUND, read.status());
            assertEquals("v2", read.value().value());

            long start = System.nanoTime();
            int n = 200;
            for (int i = 0; i < n; i++) {
                client.write(cluster.group, new PartitionCommand.Put(1, "k" + i, "v")).get(10, TimeUnit.SECONDS);
            }
            System.out.printf("sequential write: %.2f ms%n", (System.nanoTime() - start) / 1e6 / n);
        }
    }
}
