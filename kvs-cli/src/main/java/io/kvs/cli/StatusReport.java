package io.kvs.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** {@code GET /status} as text: a summary line, a table of nodes, one of partitions, and the view change under way. */
final class StatusReport {
    private StatusReport() {
    }

    static String render(JsonObject status) {
        StringBuilder out = new StringBuilder();
        JsonArray nodes = status.getAsJsonArray("nodes");
        out.append("view epoch ").append(text(status, "view_epoch")).append(", ").append(nodes.size())
                .append(" nodes, K=").append(text(status, "k")).append(", ").append(text(status, "number_of_partitions"))
                .append(" partitions (as ").append(text(status, "node")).append(" sees it)\n\n");
        List<List<String>> nodeRows = new ArrayList<>();
        nodeRows.add(List.of("NODE", "PARTITION", "STATE", "VIEW EPOCH", "HINTS PENDING"));
        for (JsonElement element : nodes) {
            JsonObject n = element.getAsJsonObject();
            String partition = n.get("partition_id").isJsonNull() ? "proxy" : text(n, "partition_id");
            String state = !n.get("reachable").getAsBoolean() ? "unreachable"
                    : n.get("ready").getAsBoolean() ? "ready" : "not ready: " + text(n, "not_ready_because");
            nodeRows.add(List.of(text(n, "address"), partition, state, text(n, "view_epoch"), text(n, "hints_pending")));
        }
        table(out, nodeRows);
        out.append('\n');
        List<List<String>> partitionRows = new ArrayList<>();
        partitionRows.add(List.of("PARTITION", "MEMBERS", "LEADER", "KEYS", "HINTS PENDING"));
        for (JsonElement element : status.getAsJsonArray("partitions")) {
            JsonObject p = element.getAsJsonObject();
            List<String> members = new ArrayList<>();
            p.getAsJsonArray("members").forEach(m -> members.add(m.getAsString()));
            partitionRows.add(List.of(text(p, "partition_id"), String.join(",", members),
                    p.get("leader").isJsonNull() ? "none" : text(p, "leader"), text(p, "keys"), text(p, "hints_pending")));
        }
        table(out, partitionRows);
        out.append('\n').append("view change: ").append(change(status.get("change"))).append('\n');
        return out.toString();
    }

    /** The change under way in one line, with its progress where the answer has it. */
    static String change(JsonElement change) {
        if (change == null || change.isJsonNull()) {
            return "none";
        }
        JsonObject c = change.getAsJsonObject();
        String line = c.get("type").getAsString() + " " + c.get("ip_port").getAsString() + ", step "
                + c.get("step").getAsString() + ", to view epoch " + text(c, "to_epoch");
        if (c.has("progress")) {
            JsonObject p = c.getAsJsonObject("progress");
            line += ": " + text(p, "slots_moved") + " of " + text(p, "slots_to_move") + " slots, "
                    + text(p, "keys_moved") + " keys moved";
        }
        return line;
    }

    private static String text(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e == null || e.isJsonNull() ? "-" : e.getAsString();
    }

    /** Rows as columns padded to their widest cell, the first row a header. */
    private static void table(StringBuilder out, List<List<String>> rows) {
        int columns = rows.get(0).size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int c = 0; c < columns; c++) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                line.append(row.get(c));
                if (c < columns - 1) {
                    line.append(" ".repeat(widths[c] - row.get(c).length() + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
