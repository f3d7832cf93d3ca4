package io.kvs.raft.partition;

import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.server.LocalRaftCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A partition group of three real Ratis servers on loopback. */
class PartitionGroupTest {

    @Test
    void writesAreReadBackThroughTheLeader(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3, 1, 7001)) {
            PartitionClient client = cluster.awaitLeaderClient();
            WriteReply first = client.put(cluster.group, new PartitionCommand.Put(5, "k", "v1")).get(10, TimeUnit.SECONDS);
            assertEquals(WriteReply.Status.CREATED, first.status());
            WriteReply second = client.put(cluster.group, new PartitionCommand.Put(5, "k", "v2")).get(10, TimeUnit.SECONDS);
            assertEquals(WriteReply.Status.UPDATED, second.status());
            ReadReply read = client.read(cluster.group, new PartitionQuery.Get(5, "k", Map.of())).get(10, TimeUnit.SECONDS);
            assertEquals(ReadReply.Status.FOUND, read.status());
            assertEquals("v2", read.value().value());
            assertEquals(2, read.value().version().raft());
            assertEquals(read.value().timestampMillis(), second.timestampMillis(), "the reply names the stored value's time");

            // Concurrent writes share log entries (batches), each is applied, and every replica applies them all.
            java.util.List<java.util.concurrent.CompletableFuture<WriteReply>> writes = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                writes.add(client.put(cluster.group, new PartitionCommand.Put(1, "k" + i, "v" + i)));
            }
            java.util.Set<Long> indices = new java.util.HashSet<>();
            for (java.util.concurrent.CompletableFuture<WriteReply> write : writes) {
                WriteReply reply = write.get(10, TimeUnit.SECONDS);
                assertEquals(WriteReply.Status.CREATED, reply.status());
                indices.add(reply.index());
            }
            assertTrue(indices.size() < 200, "200 concurrent writes took " + indices.size() + " log entries");
            for (int replica = 0; replica < 3; replica++) {
                int r = replica;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (cluster.stateMachine(r).size() < 201 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(201, cluster.stateMachine(r).size(), "replica " + r);
            }
        }
    }
}
