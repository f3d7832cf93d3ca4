package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key and partition API of CONTRACT.md §3 on five nodes, K=2: two partitions and a proxy. */
class KeyApiIT {
    @AutoClose
    private static ProcessCluster cluster;
    private static KvsClient client;
    private static List<NodeAddress> nodes;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ProcessCluster.start("key-api", 21, 5, 2);
        client = cluster.client();
        nodes = cluster.addresses();
    }

    /**
     * Every event is one line of a node's log, in SLF4J's format: the libraries that log through
     * java.util.logging (gRPC, inside Ratis) included, whose own format takes two lines.
     */
    @Test
    void everyEventIsOneLineOfTheNodesLog() {
        Pattern julFormat = Pattern.compile("^[A-Z][a-z]{2} \\d{1,2}, \\d{4} ");
        for (NodeProcess node : cluster.nodes()) {
            assertEquals(List.of(), NodeLogs.matching(node, julFormat), node + "'s log");
        }
    }

    @Test
    void writesThroughAnyNodeAreReadThroughEveryNode() {
        for (int i = 0; i < 20; i++) {
            String key = "every_node_" + i;
            Reply put = client.put(nodes.get(i % nodes.size()), key, "value" + i, "");
            assertEquals(201, put.status(), put.toString());
            assertNotNull(put.string("causal_payload"));
            assertTrue(put.string("timestamp").matches("\\d+"), put.toString());
            for (NodeAddress node : nodes) {
                Reply get = client.get(node, key, "");
                assertEquals(200, get.status(), node + ": " + get);
                assertEquals("value" + i, get.string("value"));
                assertEquals(put.integer("partition_id"), get.integer("partition_id"), "owner partition seen from " + node);
            }
        }
    }

    @Test
    void deleteAnswersLikeAPutAndTheKeyReadsMissingOnEveryNode() {
        assertEquals(201, client.put(nodes.get(0), "doomed", "v", "").status());
        Reply delete = client.delete(nodes.get(4), "doomed", "");
        assertEquals(200, delete.status(), delete.toString());
        assertEquals("success", delete.string("result"));
        assertEquals(Set.of("result", "msg", "partition_id", "causal_payload", "timestamp"), delete.json().keySet());
        for (NodeAddress node : nodes) {
            assertError(client.get(node, "doomed", delete.string("causal_payload")), 404, "Key does not exist");
        }
        assertError(client.delete(nodes.get(1), "doomed", ""), 404, "Key does not exist");
        assertError(client.delete(nodes.get(2), "never_there", ""), 404, "Key does not exist");
        assertError(client.delete(nodes.get(3), "not-valid", ""), 400, "Key not valid");
        assertError(client.delete(nodes.get(3), "update_view", ""), 400, null);
        Reply again = client.put(nodes.get(2), "doomed", "back", delete.string("causal_payload"));
        assertEquals(201, again.status(), "a deleted key written again is created: " + again);
        assertEquals("back", client.get(nodes.get(3), "doomed", again.string("causal_payload")).string("value"));
    }

    @Test
    void secondWriteIsAnUpdate() {
        assertEquals(201, client.put(nodes.get(0), "updated", "one", "").status());
        Reply second = client.put(nodes.get(4), "updated", "two", "");
        assertEquals(200, second.status(), second.toString());
        assertEquals("two", client.get(nodes.get(2), "updated", "").string("value"));
    }

    @Test
    void keysSpreadOverBothPartitionsAndTheOwnerIsReported() {
        int[] perPartition = new int[2];
        for (int i = 0; i < 200; i++) {
            Reply put = client.put(nodes.get(i % 5), "spread_" + i, "v", "");
            assertTrue(put.isSuccess(), put.toString());
            perPartition[put.integer("partition_id")]++;
        }
        assertTrue(perPartition[0] > 60 && perPartition[1] > 60, Arrays.toString(perPartition));
    }

    @Test
    void partitionInformationAgreesOnEveryNode() {
        Map<Integer, List<NodeAddress>> expected = Map.of(0, nodes.subList(0, 2), 1, nodes.subList(2, 4));
        for (NodeAddress node : nodes) {
            Reply ids = client.send("GET", node, "/kv-store/get_all_partition_ids", Map.of());
            assertEquals("[0,1]", ids.json().get("partition_id_list").toString(), node.toString());
            assertEquals(expected, cluster.partitions(node), "members as seen from " + node);
            Reply own = client.send("GET", node, "/kv-store/get_partition_id", Map.of());
            int expectedId = nodes.indexOf(node) < 4 ? nodes.indexOf(node) / 2 : -1;
            assertEquals(expectedId, own.integer("partition_id"), node.toString());
            assertEquals("success", own.string("msg"));
        }
    }

    @Test
    void partitionMembersAcceptsQueryParameterToo() {
        Reply reply = client.send("GET", nodes.get(4), "/kv-store/get_partition_members?partition_id=1", Map.of());
        assertEquals(200, reply.status(), reply.toString());
        assertEquals("[\"" + nodes.get(2) + "\",\"" + nodes.get(3) + "\"]", reply.json().get("partition_members").toString());
    }

    @Test
    void readWithAnotherReplicasPayloadSeesTheWrite() {
        for (int i = 0; i < 10; i++) {
            String key = "causal_" + i;
            Reply put = client.put(nodes.get(0), key, "first" + i, "");
            int partition = put.integer("partition_id");
            List<NodeAddress> members = cluster.partitions(nodes.get(0)).get(partition);
            Reply update = client.put(members.get(0), key, "second" + i, put.string("causal_payload"));
            Reply read = client.get(members.get(1), key, update.string("causal_payload"));
            assertEquals("second" + i, read.string("value"), read.toString());
            assertFalse(read.string("causal_payload").isEmpty());
        }
    }

    @Test
    void foreignPayloadsAreIgnored() {
        for (String payload : new String[]{"9.9.9.9", "garbage!!", "1.0.0.4"}) {
            Reply put = client.put(nodes.get(1), "foreign", "v-" + payload, payload);
            assertTrue(put.isSuccess(), put.toString());
            Reply get = client.get(nodes.get(3), "foreign", payload);
            assertEquals("v-" + payload, get.string("value"), get.toString());
        }
    }

    /**
     * A payload edited to claim positions the cluster never issued (here: an applied index of
     * 999999999) reads as empty: the write is taken, and neither it nor its readers inherit the
     * claim, so later reads are not held back by it.
     */
    @Test
    void forgedPayloadsReadAsEmptyAndOverlongOnesAreRefused() {
        Reply put = client.put(nodes.get(0), "forged", "first", "");
        String text = new String(Base64.getUrlDecoder().decode(put.string("causal_payload")), StandardCharsets.UTF_8);
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                text.replaceAll(";g(\\d+)=\\d+", ";g$1=999999999").getBytes(StandardCharsets.UTF_8));
        Reply forgedPut = client.put(nodes.get(1), "forged", "second", forged);
        assertEquals(200, forgedPut.status(), forgedPut.toString());
        String answered = new String(Base64.getUrlDecoder().decode(forgedPut.string("causal_payload")),
                StandardCharsets.UTF_8);
        assertFalse(answered.contains("999999999"), answered);
        Reply read = client.get(nodes.get(2), "forged", forged);
        assertEquals("second", read.string("value"), read.toString());
        assertFalse(new String(Base64.getUrlDecoder().decode(read.string("causal_payload")), StandardCharsets.UTF_8)
                .contains("999999999"));

        String overlong = "a".repeat(70_000);
        assertError(client.put(nodes.get(3), "forged", "third", overlong), 400, null);
        assertError(client.get(nodes.get(3), "forged", overlong), 400, null);
        assertEquals("second", client.get(nodes.get(3), "forged", "").string("value"), "the refused write changed nothing");
    }

    /** What an operator reads off a node: its metrics in Prometheus' format, its view and the change under way. */
    @Test
    void metricsAndTheViewOfANode() throws Exception {
        NodeAddress node = nodes.get(0);
        assertTrue(client.put(node, "metered", "v", "").isSuccess());
        Reply view = client.send("GET", node, "/view-change", Map.of());
        assertEquals(200, view.status(), view.toString());
        assertEquals(1, view.integer("view_epoch"));
        assertEquals(2, view.integer("number_of_partitions"));
        assertTrue(view.json().get("change").isJsonNull(), "no change under way: " + view);

        String text = client.metrics(node);
        for (String expected : new String[]{
                "kvs_http_requests_seconds_count{method=\"PUT\",route=\"/kv-store/{key}\",status=\"",
                "kvs_http_requests_seconds_bucket{", "kvs_raft_group_leader{group=\"metadata\"",
                "kvs_raft_group_applied_index{group=\"0\",partition=\"0\"}", "kvs_partition_keys{group=\"0\"",
                "kvs_raft_group_log_entries{group=\"0\"", "kvs_raft_group_log_bytes{group=\"metadata\"",
                "kvs_raft_group_leader_changes_total{group=\"0\"", "kvs_raft_group_snapshots_installed_total{",
                "kvs_hints_pending{", "kvs_hints_replayed_total", "kvs_write_relays_total{outcome=\"not_taken\"}",
                "kvs_view_epoch 1.0",
                "kvs_view_change_in_progress 0.0", "kvs_view_change_slots_to_move 0.0",
                "kvs_view_change_keys_moved_total", "jvm_memory_used_bytes", "jvm_gc_max_data_size_bytes"}) {
            assertTrue(text.contains(expected), "the metrics name " + expected);
        }
    }

    /**
     * Writes a node takes for a group it does not lead go to the leader in relayed batches; the
     * relay refuses what is not a batch of writes, and a batch for a group the node does not
     * lead, and stores nothing of either.
     */
    @Test
    void writesAreRelayedToTheLeaderWhichRefusesBadBatches() throws Exception {
        for (int i = 0; i < 20; i++) {
            for (NodeAddress node : nodes) {
                assertTrue(client.put(node, "relayed_" + i, "v" + node.port() + i, "").isSuccess());
            }
        }
        long answered = sumOverNodes("kvs_http_requests_seconds_count{method=\"POST\",route=\"/internal/relay-writes/{group}\",status=\"200\"}");
        long taken = sumOverNodes("kvs_write_relays_total{outcome=\"taken\"}");
        assertTrue(answered > 0, "writes through the proxy and followers were relayed to the leaders");
        assertTrue(taken > 0 && taken <= answered, "the relaying nodes count the batches the leaders took: "
                + taken + " of " + answered + " answered");

        okhttp3.OkHttpClient internal = io.kvs.http.peer.HttpPeerNodes.newClient(cluster.internalApi());
        try {
            NodeAddress node = nodes.get(0);
            String group = UUID.randomUUID().toString();
            byte[] batch = io.kvs.raft.partition.PartitionCodec.encode(new io.kvs.raft.partition.PartitionCommand.Puts(
                    List.of(new io.kvs.raft.partition.PartitionCommand.Put(0, "never_relayed", "x"))));
            assertEquals(400, relay(internal, node, "not-a-group", batch), "a malformed group id");
            assertEquals(400, relay(internal, node, group, "garbage".getBytes(StandardCharsets.UTF_8)), "not a batch");
            assertEquals(400, relay(internal, node, group, Arrays.copyOf(batch, batch.length - 3)), "truncated");
            assertEquals(413, relay(internal, node, group, new byte[io.kvs.raft.client.LeaderRelay.MAX_BYTES + 1]),
                    "larger than any relayed batch");
            assertEquals(503, relay(internal, node, group, batch), "a group the node does not lead");
            assertEquals(404, client.get(node, "never_relayed", "").status(), "nothing refused was stored");
        } finally {
            io.kvs.http.peer.HttpPeerNodes.shutdown(internal);
        }
    }

    /** One series of a metric, summed over the nodes. */
    private long sumOverNodes(String series) {
        return nodes.stream().mapToLong(node -> client.metric(node, series + " ")).sum();
    }

    private int relay(okhttp3.OkHttpClient internal, NodeAddress node, String group, byte[] body) throws Exception {
        okhttp3.Request request = new okhttp3.Request.Builder()
                .url(cluster.internalApi().url(node, io.kvs.http.peer.HttpLeaderRelay.PATH + group))
                .post(okhttp3.RequestBody.create(body, okhttp3.MediaType.get("application/octet-stream"))).build();
        try (okhttp3.Response response = internal.newCall(request).execute()) {
            return response.code();
        }
    }

    @Test
    void invalidKeysAreRejectedAndChangeNothing() {
        List<String> invalid = new ArrayList<>(List.of("a-b", "a.b", "k".repeat(201), "%C3%A9", "a%20b"));
        for (String key : invalid) {
            Reply put = client.put(nodes.get(0), key, "x", "");
            assertError(put, 400, "Key not valid");
            assertError(client.get(nodes.get(1), key, ""), 400, "Key not valid");
        }
        assertError(client.put(nodes.get(0), "", "x", ""), 400, "Key not valid");
        assertEquals(201, client.put(nodes.get(0), "k".repeat(200), "x", "").status());
    }

    @Test
    void missingAndOversizedValuesAreRejectedAndChangeNothing() {
        assertError(client.put(nodes.get(0), "no_value", null, ""), 400, "No value provided");
        assertError(client.get(nodes.get(2), "no_value", ""), 404, "Key does not exist");

        String big = "x".repeat(1024 * 1024 + 1);
        assertError(client.put(nodes.get(1), "too_big", big, ""), 413, "Object too large. Size limit is 1MB");
        assertError(client.get(nodes.get(3), "too_big", ""), 404, "Key does not exist");

        client.put(nodes.get(0), "kept", "original", "");
        assertError(client.put(nodes.get(4), "kept", big, ""), 413, "Object too large. Size limit is 1MB");
        assertError(client.put(nodes.get(4), "kept", null, ""), 400, "No value provided");
        assertEquals("original", client.get(nodes.get(2), "kept", "").string("value"));

        String atLimit = "y".repeat(1024 * 1024);
        assertEquals(201, client.put(nodes.get(1), "at_limit", atLimit, "").status());
        assertEquals(atLimit, client.get(nodes.get(4), "at_limit", "").string("value"));
    }

    /** Form bodies as curl sends them: escaped or raw UTF-8; a malformed one is refused and changes nothing. */
    @Test
    void formBodiesAreDecodedAndMalformedOnesRefused() {
        String path = "/kv-store/form_body";
        assertEquals(201, client.sendBody("PUT", nodes.get(0), path, "val=a+b%20c%C3%A9").status());
        assertEquals("a b cé", client.get(nodes.get(1), "form_body", "").string("value"));
        assertEquals(200, client.sendBody("PUT", nodes.get(2), path, "val=h\u00e9llo&causal_payload=").status());
        assertEquals("h\u00e9llo", client.get(nodes.get(3), "form_body", "").string("value"));

        assertError(client.sendBody("PUT", nodes.get(4), path, "val=%zz"), 400, "malformed form body: not a valid escape '%zz'");
        assertError(client.sendBody("PUT", nodes.get(4), path, "val=" + "z".repeat(5 * 1024 * 1024)), 413,
                "Object too large. Size limit is 1MB");
        assertEquals("h\u00e9llo", client.get(nodes.get(0), "form_body", "").string("value"));
    }

    @Test
    void unknownKeysAndPartitionsAreNotFound() {
        assertError(client.get(nodes.get(0), "never_written", ""), 404, "Key does not exist");
        assertError(client.send("GET", nodes.get(0), "/kv-store/get_partition_members", Map.of("partition_id", "7")), 404, null);
        assertError(client.send("GET", nodes.get(0), "/kv-store/get_partition_members", Map.of("partition_id", "-1")), 404, null);
        assertError(client.send("GET", nodes.get(0), "/kv-store/get_partition_members", Map.of()), 400, null);
        assertError(client.send("GET", nodes.get(0), "/kv-store/get_partition_members", Map.of("partition_id", "one")), 400, null);
        assertError(client.send("GET", nodes.get(0), "/no/such/path", Map.of()), 404, null);
    }

    private static void assertError(Reply reply, int status, String text) {
        assertEquals(status, reply.status(), reply.toString());
        assertEquals("error", reply.string("result"), reply.toString());
        assertNotNull(reply.string("error"), reply.toString());
        assertEquals(reply.string("error"), reply.string("msg"), reply.toString());
        if (text != null) {
            assertEquals(text, reply.string("error"), reply.toString());
        }
    }
}
