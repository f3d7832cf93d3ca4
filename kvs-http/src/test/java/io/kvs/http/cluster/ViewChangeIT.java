package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** update_view on real nodes: layouts, agreement, and no key lost while nodes come and go. */
class ViewChangeIT {
    @AutoClose
    private ProcessCluster cluster;

    @Test
    void addThreeThenRemoveThreeKeepsTheLayoutRulesAndEveryKey() throws Exception {
        cluster = ProcessCluster.start("view-grow-shrink", 23, 4, 2);
        List<NodeAddress> view = new ArrayList<>(cluster.addresses());
        AckedWrites acked = new AckedWrites(cluster.client());
        acked.write("grow", 60, view);

        int[] partitionsAfterAdd = {2, 3, 3};
        List<NodeAddress> added = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            NodeAddress node = cluster.startSpareNode().address();
            // sent to a different node each time, the last one to the node added just before
            NodeAddress via = i == 2 ? added.get(1) : view.get(i);
            Reply reply = cluster.updateView(via, "add", node);
            assertEquals(200, reply.status(), reply.toString());
            assertEquals(partitionsAfterAdd[i], reply.integer("number_of_partitions"), reply.toString());
            view.add(node);
            added.add(node);
            int expectedId = i == 1 ? 2 : -1;
            assertEquals(expectedId, reply.integer("partition_id"), "partition of the added node: " + reply);
            if (i == 1) {
                assertTrue(keysMoved(via) > 0, "the split's coordinator " + via + " counts the keys it moved");
            }
            ViewAgreement.assertAgreed(cluster, view, 2, partitionsAfterAdd[i], "after adding " + node);
            acked.assertAllReadable(view, "after adding " + node);
        }

        Reply again = cluster.updateView(view.get(0), "add", added.get(1));
        assertEquals(200, again.status(), "adding a node twice answers as the first add: " + again);
        assertEquals(2, again.integer("partition_id"));
        assertEquals(3, again.integer("number_of_partitions"));

        int[] partitionsAfterRemove = {3, 2, 2};
        for (int i = 0; i < 3; i++) {
            NodeAddress removed = view.get(0);
            Reply reply = cluster.updateView(added.get(0), "remove", removed);
            assertEquals(200, reply.status(), reply.toString());
            assertEquals(partitionsAfterRemove[i], reply.integer("number_of_partitions"), reply.toString());
            assertFalse(reply.json().has("partition_id"), "a remove answers only the number of partitions: " + reply);
            view.remove(removed);
            Reply gone = cluster.client().get(removed, "grow_1", "");
            assertEquals(503, gone.status(), "a removed node stops serving keys: " + gone);
            ViewAgreement.assertAgreed(cluster, view, 2, partitionsAfterRemove[i], "after removing " + removed);
            acked.assertAllReadable(view, "after removing " + removed);
        }
    }

    @Test
    void removingBothMembersOfAPartitionOneAfterAnotherLosesNothing() throws Exception {
        cluster = ProcessCluster.start("view-remove-pair", 24, 6, 2);
        List<NodeAddress> view = new ArrayList<>(cluster.addresses());
        AckedWrites acked = new AckedWrites(cluster.client());
        acked.write("pair", 100, view);
        List<NodeAddress> pair = cluster.partitions(view.get(0)).get(1);
        NodeAddress via = view.get(5);
        for (NodeAddress member : pair) {
            Reply reply = cluster.updateView(via, "remove", member);
            assertEquals(200, reply.status(), reply.toString());
            view.remove(member);
            acked.assertAllReadable(view, "after removing " + member);
        }
        ViewAgreement.assertAgreed(cluster, view, 2, 2, "after removing both members of partition 1");
    }

    @Test
    void deadNodeIsRemovedAfterAddsWithoutLosingAKey() throws Exception {
        cluster = ProcessCluster.start("view-dead-node", 25, 4, 2);
        List<NodeAddress> view = new ArrayList<>(cluster.addresses());
        AckedWrites acked = new AckedWrites(cluster.client());
        acked.write("dead", 60, view);
        for (int i = 0; i < 2; i++) {
            NodeAddress node = cluster.startSpareNode().address();
            Reply reply = cluster.updateView(view.get(i), "add", node);
            assertEquals(200, reply.status(), reply.toString());
            view.add(node);
            acked.assertAllReadable(view, "after adding " + node);
        }
        // With K=2 the victim's partition has no majority until the removal rebuilds it.
        NodeAddress victim = view.get(0);
        cluster.node(victim).kill();
        view.remove(victim);
        Reply reply = cluster.updateView(view.get(view.size() - 1), "remove", victim);
        assertEquals(200, reply.status(), reply.toString());
        assertEquals(2, reply.integer("number_of_partitions"));
        ViewAgreement.assertAgreed(cluster, view, 2, 2, "after removing dead " + victim);
        acked.assertAllReadable(view, "after removing dead " + victim);
        acked.write("after", 20, view);
        acked.assertAllReadable(view, "after writing again");
    }

    @Test
    void badViewChangeRequestsAreRejectedAndChangeNothing() throws Exception {
        cluster = ProcessCluster.start("view-bad-input", 26, 2, 2);
        NodeAddress via = cluster.addresses().get(0);
        KvsClient client = cluster.client();
        assertError(client.send("PUT", via, "/kv-store/update_view?type=replace", Map.of("ip_port", "127.0.26.9:8080")), 400);
        assertError(client.send("PUT", via, "/kv-store/update_view", Map.of("ip_port", "127.0.26.9:8080")), 400);
        assertError(client.send("PUT", via, "/kv-store/update_view?type=add", Map.of()), 400);
        assertError(client.send("PUT", via, "/kv-store/update_view?type=add", Map.of("ip_port", "not-an-address")), 400);
        assertError(client.send("PUT", via, "/kv-store/update_view?type=remove", Map.of("ip_port", "127.0.26.9:8080")), 404);
        for (String malformed : List.of("a b:8080", "127.0.26.9 :8080", "127.0.26.9:8080\n", "127.0.26.09:8080",
                "127.0.26.9:65000")) {
            assertError(client.send("PUT", via, "/kv-store/update_view?type=add", Map.of("ip_port", malformed)), 400);
        }
        Reply unreachable = client.send("PUT", via, "/kv-store/update_view?type=add", Map.of("ip_port", "127.0.26.9:8080"));
        assertEquals(503, unreachable.status(), "adding a node whose server is not up fails clearly: " + unreachable);
        assertTrue(unreachable.string("error").contains("127.0.26.9:8080"), unreachable.toString());
        ViewAgreement.assertAgreed(cluster, cluster.addresses(), 2, 1, "after rejected changes");

        // Nothing of the failed changes is left behind: the next change proceeds.
        NodeAddress spare = cluster.startSpareNode().address();
        assertEquals(200, client.send("GET", spare, "/health", Map.of()).status(), "a waiting node serves");
        Reply notReady = client.send("GET", spare, "/ready", Map.of());
        assertEquals(503, notReady.status(), "a node waiting to be added is not ready: " + notReady);
        assertTrue(notReady.string("error").contains("not part of a cluster"), notReady.toString());
        assertEquals(200, client.send("GET", via, "/ready", Map.of()).status(), "a member is ready");
        Reply added = cluster.updateView(via, "add", spare);
        assertEquals(200, added.status(), added.toString());
        ViewAgreement.assertAgreed(cluster, cluster.addresses(), 2, 1, "after adding " + spare);
        await(spare + " to be ready once added").atMost(Duration.ofSeconds(10))
                .until(() -> client.send("GET", spare, "/ready", Map.of()).status() == 200);
    }

    /** {@code kvs_view_change_keys_moved_total} of {@code node}. */
    private long keysMoved(NodeAddress node) throws Exception {
        String metric = "kvs_view_change_keys_moved_total ";
        return cluster.client().metrics(node).lines().filter(line -> line.startsWith(metric))
                .mapToLong(line -> (long) Double.parseDouble(line.substring(metric.length())))
                .findFirst().orElseThrow(() -> new AssertionError(metric + "missing on " + node));
    }

    private static void assertError(Reply reply, int status) {
        assertEquals(status, reply.status(), reply.toString());
        assertEquals("error", reply.string("result"), reply.toString());
        assertEquals(reply.string("error"), reply.string("msg"));
    }
}
