package io.kvs.http.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page every node serves at {@code /}, opened in a real headless Chromium against a
 * 4-node K=2 cluster: what it shows is checked against the public API ({@code /status} and the
 * partition endpoints), and after a node is
 * removed the page shows the new view within 2 s. Screenshots go to {@code target/}.
 */
class StatusPageIT {
    private static final Duration SHOWS_NEW_VIEW_WITHIN = Duration.ofSeconds(2);
    /** What the page draws, read from its tables as a user sees them. */
    private static final String PAGE_CONTENT = "document.getElementById('change') && ({epoch: document.body.dataset.viewEpoch || null,"
            + " nodes: [...document.querySelectorAll('#nodes tbody tr')].map(r => [...r.cells].map(c => c.textContent)),"
            + " partitions: [...document.querySelectorAll('#partitions tbody tr')].map(r => [...r.cells].map(c => c.textContent)),"
            + " change: document.getElementById('change').textContent})";

    @Test
    void showsTheClusterAndFollowsAViewChange() throws Exception {
        assertTrue(HeadlessChromium.installed(), "Chromium is needed: apt-get install chromium (.ci/run does)");
        try (ProcessCluster cluster = ProcessCluster.start("status-page", 38, 4, 2)) {
            List<NodeAddress> nodes = cluster.addresses();
            KvsClient client = cluster.client();
            int written = 40;
            for (int i = 0; i < written; i++) {
                assertEquals(201, client.put(nodes.get(i % nodes.size()), "shown_" + i, "v", "").status());
            }
            NodeAddress served = nodes.get(0);
            try (HeadlessChromium browser = HeadlessChromium.open("http://" + served + "/",
                    cluster.dir().resolve("chromium"))) {
                AtomicReference<JsonObject> last = new AtomicReference<>();
                JsonObject page = showing(last, () -> await("the page to show every node ready and every key")
                        .atMost(Duration.ofSeconds(20))
                        .until(() -> {
                            JsonObject shown = shown(browser);
                            last.set(shown);
                            if (shown == null) {
                                return null;
                            }
                            boolean allReady = rows(shown, "nodes").stream().allMatch(r -> r.get(2).equals("ready"));
                            long keys = rows(shown, "partitions").stream()
                                    .mapToLong(r -> r.get(3).matches("\\d+") ? Long.parseLong(r.get(3)) : 0).sum();
                            return allReady && keys >= written && rows(shown, "nodes").size() == 4
                                    && rows(shown, "partitions").equals(partitionRows(client, served)) ? shown : null;
                        }, Objects::nonNull));
                assertShowsTheView(page, cluster, served, nodes);
                browser.screenshot(Path.of("target", "status-page.png"));

                NodeAddress removed = nodes.get(3);
                Reply remove = cluster.updateView(nodes.get(1), "remove", removed);
                assertEquals(200, remove.status(), remove.toString());
                long acknowledged = System.nanoTime();
                long epochBefore = Long.parseLong(page.get("epoch").getAsString());
                JsonObject after = showing(last, () -> await("the page to show the view without " + removed)
                        .atMost(SHOWS_NEW_VIEW_WITHIN)
                        .until(() -> {
                            JsonObject shown = shown(browser);
                            last.set(shown);
                            if (shown == null) {
                                return null;
                            }
                            boolean gone = rows(shown, "nodes").stream().noneMatch(r -> r.get(0).equals(removed.toString()));
                            return gone && Long.parseLong(shown.get("epoch").getAsString()) > epochBefore ? shown : null;
                        }, Objects::nonNull));
                System.out.printf("the page showed the new view %d ms after update_view answered%n",
                        (System.nanoTime() - acknowledged) / 1_000_000);
                assertShowsTheView(after, cluster, served, nodes.subList(0, 3));
                browser.screenshot(Path.of("target", "status-page-after-remove.png"));
            }
        }
    }

    /** The page lists the nodes of {@code view} and the partitions with their members as the API gives them, and a leader for each. */
    private static void assertShowsTheView(JsonObject page, ProcessCluster cluster, NodeAddress via,
                                           List<NodeAddress> view) {
        Map<Integer, List<NodeAddress>> partitions = cluster.partitions(via);
        TreeSet<String> expectedNodes = new TreeSet<>();
        view.forEach(node -> expectedNodes.add(node.toString()));
        TreeSet<String> shownNodes = new TreeSet<>();
        rows(page, "nodes").forEach(r -> shownNodes.add(r.get(0)));
        assertEquals(expectedNodes, shownNodes, "the nodes the page shows");
        Map<Integer, List<String>> shownPartitions = new TreeMap<>();
        for (List<String> row : rows(page, "partitions")) {
            shownPartitions.put(Integer.parseInt(row.get(0)), List.of(row.get(1).split(", ")));
            assertTrue(row.get(1).contains(row.get(2)), "a leader among the members: " + row);
        }
        Map<Integer, List<String>> expected = new TreeMap<>();
        partitions.forEach((id, members) -> expected.put(id, members.stream().map(NodeAddress::toString).toList()));
        assertEquals(expected, shownPartitions, "the partitions and members the page shows");
    }

    /** The partitions as {@code GET /status} gives them, as the page's table should show them. */
    private static List<List<String>> partitionRows(KvsClient client, NodeAddress via) {
        Reply status = client.send("GET", via, "/status", Map.of());
        List<List<String>> rows = new ArrayList<>();
        for (JsonElement p : status.json().getAsJsonArray("partitions")) {
            JsonObject partition = p.getAsJsonObject();
            List<String> members = new ArrayList<>();
            partition.getAsJsonArray("members").forEach(m -> members.add(m.getAsString()));
            rows.add(List.of(partition.get("partition_id").getAsString(), String.join(", ", members),
                    partition.get("leader").isJsonNull() ? "none" : partition.get("leader").getAsString(),
                    partition.get("keys").getAsString(), partition.get("hints_pending").getAsString()));
        }
        return rows;
    }

    /** The wait's result; if it times out, the failure says what the page showed last. */
    private static JsonObject showing(AtomicReference<JsonObject> last, java.util.function.Supplier<JsonObject> wait) {
        try {
            return wait.get();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; the page last showed " + last.get(), e);
        }
    }

    /** What the page shows now, or null while it has not loaded. */
    private static JsonObject shown(HeadlessChromium browser) {
        JsonElement shown = browser.evaluate(PAGE_CONTENT);
        return shown != null && shown.isJsonObject() ? shown.getAsJsonObject() : null;
    }

    private static List<List<String>> rows(JsonObject page, String table) {
        List<List<String>> rows = new ArrayList<>();
        JsonArray array = page.getAsJsonArray(table);
        for (JsonElement row : array) {
            List<String> cells = new ArrayList<>();
            row.getAsJsonArray().forEach(c -> cells.add(c.getAsString()));
            rows.add(cells);
        }
        return rows;
    }
}
