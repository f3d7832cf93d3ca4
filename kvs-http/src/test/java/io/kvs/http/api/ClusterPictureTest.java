package io.kvs.http.api;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.View;
import io.kvs.raft.meta.ClusterState;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ClusterPictureTest {
    private static final Gson GSON = new Gson();
    private static final List<NodeAddress> NODES = List.of(NodeAddress.parse("10.0.0.1:8080"),
            NodeAddress.parse("10.0.0.2:8080"), NodeAddress.parse("10.0.0.3:8080"), NodeAddress.parse("10.0.0.4:8080"),
            NodeAddress.parse("10.0.0.5:8080"));
    private static final ClusterState STATE = ClusterState.initial("c", "t", View.initial(NODES, 2));

    private static JsonObject report(boolean ready, boolean coordinating, String change, String groups) {
        return GSON.fromJson("{\"epoch\":1,\"ready\":" + ready + ",\"not_ready_because\":" + (ready ? "null" : "\"no leader\"")
                + ",\"coordinating\":" + coordinating + ",\"change\":" + change + ",\"groups\":" + groups + "}", JsonObject.class);
    }

    private static String group(int serial, boolean leads, String leader, long keys, int hints) {
        return "{\"group\":" + serial + ",\"is_leader\":" + leads + ",\"leader\":" + (leader == null ? "null" : "\"" + leader + "\"")
                + ",\"keys\":" + keys + ",\"hints_pending\":" + hints + "}";
    }

    @SuppressWarnings("unchecked")
    @Test
    void joinsTheViewWithTheReportsAndShowsWhoDidNotReport() {
        View view = STATE.view();
        int g0 = view.partition(0).group();
        int g1 = view.partition(1).group();
        String leader0 = view.partition(0).members().get(1).toString();
        Map<NodeAddress, JsonObject> reports = new LinkedHashMap<>();
        // Partition 0: its leader reports 7 keys, its follower is behind with 5.
        reports.put(view.partition(0).members().get(0), report(true, false, "null", "[" + group(g0, false, leader0, 5, 2) + "]"));
        reports.put(view.partition(0).members().get(1), report(true, true,
                "{\"type\":\"add\",\"progress\":{\"slots_moved\":3}}", "[" + group(g0, true, leader0, 7, 1) + "]"));
        // Partition 1: one member reports, knows no leader; the other does not answer.
        reports.put(view.partition(1).members().get(0), report(false, false, "null", "[" + group(g1, false, null, 4, 0) + "]"));

        Map<String, Object> picture = ClusterPicture.of(NODES.get(0), STATE, reports, null);

        assertEquals(5, ((List<?>) picture.get("nodes")).size());
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) picture.get("nodes");
        Map<String, Object> silent = nodes.stream()
                .filter(n -> n.get("address").equals(view.partition(1).members().get(1).toString())).findFirst().orElseThrow();
        assertEquals(false, silent.get("reachable"));
        assertEquals(false, silent.get("ready"));
        Map<String, Object> proxy = nodes.stream().filter(n -> n.get("partition_id") == null).findFirst().orElseThrow();
        assertEquals(false, proxy.get("reachable"), "the proxy gave no report either");

        List<Map<String, Object>> partitions = (List<Map<String, Object>>) picture.get("partitions");
        assertEquals(leader0, partitions.get(0).get("leader"));
        assertEquals(7L, partitions.get(0).get("keys"), "the leader's count");
        assertEquals(3L, partitions.get(0).get("hints_pending"), "hints waiting on every member");
        assertNull(partitions.get(1).get("leader"));
        assertEquals(4L, partitions.get(1).get("keys"), "the largest count a member reported");
        assertEquals("{\"type\":\"add\",\"progress\":{\"slots_moved\":3}}", GSON.toJson(picture.get("change")),
                "the coordinator's account of the change, with its progress");
    }
}
