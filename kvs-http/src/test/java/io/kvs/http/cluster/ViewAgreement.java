package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks that nodes agree on the layout, and that the layout obeys CONTRACT.md §2. */
final class ViewAgreement {
    private ViewAgreement() {
    }

    /**
     * Every node of {@code view} reports the same partitions and members, its own partition as
     * its membership says, and the layout has {@code partitions} partitions of K members each.
     */
    static void assertAgreed(ProcessCluster cluster, List<NodeAddress> view, int k, int partitions, String when) {
        assertAgreed(cluster, view, view, k, partitions, when);
    }

    /** As above, for a view some of whose nodes are down: only {@code live} nodes are asked. */
    static void assertAgreed(ProcessCluster cluster, List<NodeAddress> view, List<NodeAddress> live, int k,
                             int partitions, String when) {
        Map<Integer, List<NodeAddress>> layout = cluster.partitions(live.get(0));
        assertEquals(IntStream.range(0, partitions).boxed().toList(), new ArrayList<>(layout.keySet()),
                when + ": partition ids");
        Set<NodeAddress> members = new HashSet<>();
        for (List<NodeAddress> partition : layout.values()) {
            assertEquals(view.size() >= k ? k : view.size(), partition.size(), when + ": members of " + partition);
            for (NodeAddress member : partition) {
                assertTrue(view.contains(member), when + ": " + member + " is not in the view " + view);
                assertTrue(members.add(member), when + ": " + member + " is in two partitions");
            }
        }
        for (NodeAddress node : live) {
            assertEquals(layout, cluster.partitions(node), when + ": layout as seen from " + node);
            int expected = layout.entrySet().stream().filter(e -> e.getValue().contains(node))
                    .map(Map.Entry::getKey).findFirst().orElse(-1);
            KvsClient.Reply own = cluster.client().send("GET", node, "/kv-store/get_partition_id", Map.of());
            assertEquals(expected, own.integer("partition_id"), when + ": partition of " + node);
        }
    }
}
