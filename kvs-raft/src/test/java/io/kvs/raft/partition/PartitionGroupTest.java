package io.kvs.raft.partition;

import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.server.LocalRaftCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kvs.core.causal.VersionVector;
import io.kvs.core.causal.VersionedValue;
import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.raft.storage.TestStoreMemory;

import org.awaitility.Awaitility;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A partition group of three real Ratis servers on loopback. */
class PartitionGroupTest {

    @Test
    void writesAreReadBackThroughTheLeader(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            PartitionClient client = cluster.awaitLeaderClient();
            WriteReply first = client.put(cluster.group, new PartitionCommand.Put(5, "k", "v1")).get(10, TimeUnit.SECONDS);
            assertEquals(Outcome.CREATED, first.status());
            WriteReply second = client.put(cluster.group, new PartitionCommand.Put(5, "k", "v2")).get(10, TimeUnit.SECONDS);
            assertEquals(Outcome.UPDATED, second.status());
            ReadReply read = client.read(cluster.group, new PartitionQuery.Get(5, "k", Map.of())).get(10, TimeUnit.SECONDS);
            assertEquals(Outcome.FOUND, read.status());
            assertEquals("v2", read.value().value());
            assertEquals(2, read.value().version().raft());
            assertEquals(read.value().timestampMillis(), second.timestampMillis(), "the reply names the stored value's time");

            // Concurrent writes share log entries (batches), each is applied, and every replica applies them all.
            List<CompletableFuture<WriteReply>> writes = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                writes.add(client.put(cluster.group, new PartitionCommand.Put(1, "k" + i, "v" + i)));
            }
            Set<Long> indices = new HashSet<>();
            for (CompletableFuture<WriteReply> write : writes) {
                WriteReply reply = write.get(10, TimeUnit.SECONDS);
                assertEquals(Outcome.CREATED, reply.status());
                indices.add(reply.index());
            }
            assertTrue(indices.size() < 200, "200 concurrent writes took " + indices.size() + " log entries");
            for (int replica = 0; replica < 3; replica++) {
                int r = replica;
                Awaitility.await("replica " + r + " to apply every write").atMost(Duration.ofSeconds(10))
                        .until(() -> cluster.stateMachine(r).size() == 201);
            }
        }
    }

    /**
     * Writes relayed to a node that cannot commit them (its group lost its majority) fail as
     * UNAVAILABLE, what the relay's HTTP route answers as a 503, not as Ratis' own exceptions
     * (which it would answer as an internal error).
     */
    @Test
    void relayedWritesAGroupCannotCommitFailAsUnavailable(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            PartitionClient client = cluster.awaitLeaderClient();
            cluster.stop(1);
            cluster.stop(2);
            ExecutionException failed = assertThrows(
                    ExecutionException.class,
                    () -> client.putAll(cluster.group, List.of(new PartitionCommand.Put(5, "k", "v"))).get(30, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof KvsException e
                    && e.code() == ErrorCode.UNAVAILABLE, failed.getCause().toString());
        }
    }

    /** Each replica knows whether it applied an entry lately: a sign its group commits, even others' writes. */
    @Test
    void everyReplicaTellsWhetherItAppliedLately(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 3)) {
            PartitionClient client = cluster.awaitLeaderClient();
            for (int replica = 0; replica < 3; replica++) {
                assertTrue(cluster.stateMachine(replica).isOpen(), "a started replica's store is open");
                assertFalse(cluster.stateMachine(replica).appliedWithin(Duration.ofHours(1)), "nothing applied yet");
            }
            assertFalse(new PartitionStateMachine("n", System::currentTimeMillis, TestStoreMemory.SHARED)
                    .isOpen(), "a replica Ratis has not started has no store to serve from");
            client.put(cluster.group, new PartitionCommand.Put(5, "k", "v")).get(10, TimeUnit.SECONDS);
            for (int replica = 0; replica < 3; replica++) {
                int r = replica;
                Awaitility.await("replica " + r + " to apply the write").atMost(Duration.ofSeconds(10))
                        .until(() -> cluster.stateMachine(r).appliedWithin(Duration.ofSeconds(10)));
                Awaitility.await("replica " + r + "'s last apply to age").atMost(Duration.ofSeconds(10))
                        .until(() -> !cluster.stateMachine(r).appliedWithin(Duration.ofMillis(200)));
            }
        }
    }

    /**
     * A group counts hints as its own only from the origin's sequence for it: hints rerouted
     * from another group (upTo 0) are merged but move no position a causal payload names.
     */
    @Test
    void hintsOfAnotherGroupMoveNoHintPosition(@TempDir Path dir) throws Exception {
        try (LocalRaftCluster cluster = new LocalRaftCluster(dir, 1)) {
            PartitionClient client = cluster.awaitLeaderClient();
            VersionedValue hinted = new VersionedValue("moved", 1_000, "b:1", VersionVector.of(0, Map.of("b:1", 1L)));
            HintedWrite rerouted = new HintedWrite(7, 3, "k", hinted, 11);
            WriteReply first = client.write(cluster.group, new PartitionCommand.ApplyHints("b:1", 0, List.of(rerouted)))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(Outcome.UPDATED, first.status());
            assertEquals("moved", cluster.stateMachine(0).get("k").value());
            assertEquals(0, cluster.stateMachine(0).appliedHint("b:1"), "another group's hint ids are not this group's");

            WriteReply own = client.write(cluster.group, new PartitionCommand.ApplyHints("b:1", 4, List.of()))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(Outcome.UPDATED, own.status());
            assertEquals(4, cluster.stateMachine(0).appliedHint("b:1"), "the origin's own hints up to 4 are held");
        }
    }
}
