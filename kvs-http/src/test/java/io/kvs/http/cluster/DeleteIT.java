package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DELETE on real nodes: a deleted key reads missing on every node, through a split and a merge
 * (its tombstone moves with its slot), and its tombstone is purged after the grace period.
 */
class DeleteIT {
    @AutoClose
    private ProcessCluster cluster;
    /** The replicas of keys the cluster held before the test wrote any. */
    private long baseline;

    @Test
    void deletedKeysStayMissingThroughASplitAndAMerge() throws Exception {
        cluster = ProcessCluster.start("delete-views", 42, 4, 2);
        List<NodeAddress> view = new ArrayList<>(cluster.addresses());
        AckedWrites acked = new AckedWrites(cluster.client());
        baseline = appliedEverywhere(view, 2); // the keys the cluster's start-up probe wrote
        acked.write("del", 120, view);
        acked.delete("del", 3, view);
        acked.assertAllReadable(view, "after the deletes");
        assertCounts(view, acked, "after the deletes");

        for (int i = 0; i < 2; i++) {
            NodeAddress node = cluster.startSpareNode().address();
            Reply reply = cluster.updateView(view.get(0), "add", node);
            assertEquals(200, reply.status(), reply.toString());
            view.add(node);
        }
        ViewAgreement.assertAgreed(cluster, view, 2, 3, "after the split");
        acked.assertAllReadable(view, "after the split");
        assertCounts(view, acked, "after the split: every tombstone moved with its slot, once");

        acked.write("more", 30, view);
        acked.delete("del", 4, view);
        acked.delete("more", 2, view);
        for (int i = 0; i < 2; i++) {
            NodeAddress removed = view.remove(0);
            Reply reply = cluster.updateView(view.get(0), "remove", removed);
            assertEquals(200, reply.status(), reply.toString());
        }
        ViewAgreement.assertAgreed(cluster, view, 2, 2, "after the merge");
        acked.assertAllReadable(view, "after the merge");
        assertCounts(view, acked, "after the merge");
    }

    @Test
    void tombstonesArePurgedAfterTheGracePeriodAndTheKeyCanBeWrittenAgain() throws Exception {
        cluster = ProcessCluster.start("delete-purge", new LoopbackNetwork(43), 3, 3,
                Map.of("TOMBSTONE_GRACE_SECONDS", "1"));
        List<NodeAddress> view = cluster.addresses();
        AckedWrites acked = new AckedWrites(cluster.client());
        baseline = appliedEverywhere(view, 3);
        acked.write("purged", 20, view);
        acked.delete("purged", 2, view);
        await("every replica to purge its tombstones").atMost(Duration.ofSeconds(40))
                .until(() -> sum(view, "kvs_partition_tombstones") == 0);
        assertEquals(baseline + 3L * acked.size(), sum(view, "kvs_partition_keys"), "3 replicas of each live key");
        acked.assertAllReadable(view, "after the purge");
        Reply again = cluster.client().put(view.get(1), "purged_0", "back", "");
        assertEquals(201, again.status(), "a deleted key written again is created: " + again);
    }

    /**
     * The replicas of the keys the cluster holds, once every replica has applied them (a
     * follower applies a write a moment after it is acknowledged): a multiple of {@code k}.
     */
    private long appliedEverywhere(List<NodeAddress> view, int k) {
        return await("every replica to apply the start-up writes").atMost(Duration.ofSeconds(5)).until(() -> {
            long replicas = sum(view, "kvs_partition_keys");
            return replicas % k == 0 ? replicas : null;
        }, Objects::nonNull);
    }

    /** Each replica counts live keys only and keeps one tombstone per deleted key: K of each in all. */
    private void assertCounts(List<NodeAddress> view, AckedWrites acked, String when) {
        try {
            await("the counts to settle " + when).atMost(Duration.ofSeconds(5))
                    .until(() -> sum(view, "kvs_partition_keys") == baseline + 2L * acked.size()
                            && sum(view, "kvs_partition_tombstones") == 2L * acked.deletedCount());
        } catch (ConditionTimeoutException timedOut) {
            assertEquals(baseline + 2L * acked.size(), sum(view, "kvs_partition_keys"), when + ": live keys, K of each");
            assertEquals(2L * acked.deletedCount(), sum(view, "kvs_partition_tombstones"), when + ": tombstones");
            throw timedOut;
        }
    }

    /** {@code metric} summed over the groups of every node of {@code view}. */
    private long sum(List<NodeAddress> view, String metric) {
        long total = 0;
        for (NodeAddress node : view) {
            try {
                total += cluster.client().metrics(node).lines().filter(line -> line.startsWith(metric + "{"))
                        .mapToLong(line -> (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                        .sum();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return total;
    }
}
