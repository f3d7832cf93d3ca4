package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The node coordinating a view change dies in the middle: another node finishes it, nothing is lost. */
class CoordinatorCrashIT {
    @AutoClose
    private ProcessCluster cluster;

    @Test
    void aSplitWhoseCoordinatorIsKilledIsFinishedByAnotherNode() throws Exception {
        // 7 nodes, K=3: partitions {1,2,3} and {4,5,6}, proxy 7; node 8 joins as a proxy, and
        // node 9 makes the third partition {7,8,9}. Node 1 coordinates that split and is killed.
        cluster = ProcessCluster.start("coordinator-crash", 29, 7, 3);
        List<NodeAddress> view = new ArrayList<>(cluster.addresses());
        AckedWrites acked = new AckedWrites(cluster.client());
        acked.write("crash", 500, view);
        NodeAddress eight = cluster.startSpareNode().address();
        assertEquals(200, cluster.updateView(view.get(1), "add", eight).status());
        view.add(eight);
        NodeAddress nine = cluster.startSpareNode().address();

        NodeAddress coordinator = view.get(0);
        CompletableFuture<Reply> change = CompletableFuture.supplyAsync(() -> cluster.updateView(coordinator, "add", nine));
        // Killed once it has recorded the change and begun preparing its groups, long before it ends.
        await("the coordinator to begin the change").atMost(Duration.ofSeconds(30))
                .until(() -> NodeLogs.mention(cluster.node(coordinator), "view change ADD " + nine));
        cluster.node(coordinator).kill();
        change.handle((r, e) -> null).get();
        view.add(nine);
        List<NodeAddress> live = view.stream().filter(n -> !n.equals(coordinator)).toList();

        // No further request: the metadata leader notices the stalled change and finishes it.
        await("the cluster to finish the split without its coordinator").atMost(Duration.ofSeconds(90)).until(() -> {
            try {
                Map<Integer, List<NodeAddress>> layout = cluster.partitions(live.get(0));
                if (layout.size() != 3) {
                    return null;
                }
                ViewAgreement.assertAgreed(cluster, view, live, 3, 3, "after the takeover");
                return layout;
            } catch (AssertionError | RuntimeException notYet) {
                return null;
            }
        }, Objects::nonNull);
        assertTrue(live.stream().anyMatch(n -> NodeLogs.mention(cluster.node(n), "taking over the stalled view change")),
                "another node took the change over (it did not finish before its coordinator was killed)");
        acked.assertAllReadable(live, "after the takeover");
        acked.write("after_crash", 50, live);
        // A write its group could not take in time while out of reach (a new group still
        // electing its leader) is acknowledged as a hint and enters the group's log when
        // replayed; these reads carry no causal payload, so they see it once no live node holds
        // hints any more.
        await("every hint to be replayed").atMost(Duration.ofSeconds(30))
                .until(() -> live.stream().allMatch(n -> cluster.client().metric(n, "kvs_hints_pending{") == 0));
        acked.assertAllReadable(live, "after writing again");
    }
}
