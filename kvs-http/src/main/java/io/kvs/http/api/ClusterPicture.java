package io.kvs.http.api;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.meta.ClusterState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The fields of {@code GET /status}: one node's view of the cluster joined with the reports the
 * nodes of that view gave of themselves ({@code /internal/status}). A node that gave no report
 * is unreachable; a partition's leader is the one its members name (the one that says it leads
 * first), its key count the leader's, or the largest a member reported when no leader did.
 */
final class ClusterPicture {
    private ClusterPicture() {
    }

    /**
     * @param self    the node answering
     * @param state   its cluster state
     * @param reports the reports received, by node
     * @param change  the change under way as this node knows it (a field of an answer, or null);
     *                the report of the change's coordinator, which knows its progress, takes its place
     */
    static Map<String, Object> of(NodeAddress self, ClusterState state, Map<NodeAddress, JsonObject> reports,
                                  Object change) {
        View view = state.view();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("node", self.toString());
        fields.put("view_epoch", view.epoch());
        fields.put("k", view.k());
        fields.put("number_of_partitions", view.partitionCount());
        List<Map<String, Object>> nodes = new ArrayList<>();
        Map<Integer, List<JsonObject>> groupsBySerial = new HashMap<>();
        for (NodeAddress node : view.nodes()) {
            JsonObject report = reports.get(node);
            Map<String, Object> n = new LinkedHashMap<>();
            n.put("address", node.toString());
            n.put("partition_id", view.partitionOf(node).map(Partition::id).orElse(null));
            n.put("reachable", report != null);
            n.put("ready", report != null && bool(report, "ready"));
            n.put("not_ready_because", report == null ? "no report within the deadline" : text(report, "not_ready_because"));
            n.put("view_epoch", report == null ? null : number(report, "epoch"));
            long hints = 0;
            if (report != null && report.get("groups") instanceof JsonArray groups) {
                for (JsonElement g : groups) {
                    if (g.isJsonObject()) {
                        JsonObject group = g.getAsJsonObject();
                        Long serial = number(group, "group");
                        if (serial != null) {
                            groupsBySerial.computeIfAbsent(serial.intValue(), s -> new ArrayList<>()).add(group);
                        }
                        hints += orZero(number(group, "hints_pending"));
                    }
                }
            }
            n.put("hints_pending", hints);
            nodes.add(n);
            if (report != null && bool(report, "coordinating") && report.get("change") instanceof JsonObject driven) {
                change = driven;
            }
        }
        fields.put("nodes", nodes);
        List<Map<String, Object>> partitions = new ArrayList<>();
        for (Partition partition : view.partitions()) {
            List<JsonObject> replicas = groupsBySerial.getOrDefault(partition.group(), List.of());
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("partition_id", partition.id());
            p.put("members", partition.members().stream().map(NodeAddress::toString).toList());
            JsonObject leader = replicas.stream().filter(r -> bool(r, "is_leader")).findFirst().orElse(null);
            p.put("leader", leader != null ? text(leader, "leader")
                    : replicas.stream().map(r -> text(r, "leader")).filter(Objects::nonNull).findFirst().orElse(null));
            p.put("keys", leader != null ? number(leader, "keys")
                    : replicas.stream().map(r -> number(r, "keys")).filter(Objects::nonNull).max(Long::compare).orElse(null));
            p.put("hints_pending", replicas.stream().mapToLong(r -> orZero(number(r, "hints_pending"))).sum());
            partitions.add(p);
        }
        fields.put("partitions", partitions);
        fields.put("change", change);
        return fields;
    }

    private static boolean bool(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && e.getAsBoolean();
    }

    private static String text(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
    }

    private static Long number(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsLong() : null;
    }

    private static long orZero(Long value) {
        return value == null ? 0 : value;
    }
}
