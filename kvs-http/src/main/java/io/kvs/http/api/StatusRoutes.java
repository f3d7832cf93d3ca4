package io.kvs.http.api;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.View;
import io.kvs.http.peer.AsyncPeerCall;
import io.kvs.http.peer.InternalApi;
import io.kvs.raft.engine.GroupStatus;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.migration.ViewChangeCoordinator;
import io.javalin.http.Context;
import okhttp3.OkHttpClient;
import okhttp3.Request;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What an operator sees of the cluster: each node's report of itself ({@code GET /internal/status},
 * node to node), the cluster as one node sees it, gathered from every node's report
 * ({@code GET /status}), and the page that draws it live ({@code GET /}).
 */
final class StatusRoutes {
    /** A node that does not report within this is shown unreachable: the page never waits on a dead peer. */
    private static final Duration REPORT_DEADLINE = Duration.ofSeconds(1);
    private static final Gson GSON = new Gson();
    private static final String PAGE = "/status-page.html";

    private final StoreEngine engine;
    private final ViewChangeCoordinator coordinator;
    private final OkHttpClient reports;
    private final InternalApi internalApi;
    private final byte[] page;

    /** @param peerHttp the node's client for its peers' internal API; its connections are shared */
    StatusRoutes(StoreEngine engine, ViewChangeCoordinator coordinator, OkHttpClient peerHttp, InternalApi internalApi) {
        this.engine = engine;
        this.coordinator = coordinator;
        this.reports = peerHttp.newBuilder().callTimeout(REPORT_DEADLINE).build();
        this.internalApi = internalApi;
        this.page = resource(PAGE);
    }

    private static byte[] resource(String name) {
        try (InputStream in = StatusRoutes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code GET /}: the status page, which asks {@code /status} of the node that served it. */
    void page(Context ctx) {
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    /** {@code GET /internal/status}: this node's report of itself. */
    void node(Context ctx) {
        Replies.success(ctx, 200, report());
    }

    /**
     * This node's report: its view epoch (-1 while in no cluster), whether it drives a view
     * change, whether it is ready and why not, and each partition group it hosts as its replica
     * sees it.
     */
    private Map<String, Object> report() {
        Optional<ClusterState> state = engine.state();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("address", engine.self().toString());
        fields.put("epoch", state.map(s -> s.view().epoch()).orElse(-1L));
        fields.put("coordinating", coordinator.isCoordinating());
        Optional<String> notReady = engine.notReadyBecause();
        fields.put("ready", notReady.isEmpty());
        fields.put("not_ready_because", notReady.orElse(null));
        List<Map<String, Object>> groups = new ArrayList<>();
        for (GroupStatus group : engine.groupStatuses()) {
            if (group.group() < 0) {
                continue;
            }
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("group", group.group());
            g.put("partition_id", group.partition());
            g.put("is_leader", group.leader());
            g.put("leader", group.leaderNode() == null ? null : group.leaderNode().toString());
            g.put("term", group.term());
            g.put("commit_index", group.commitIndex());
            g.put("applied_index", group.appliedIndex());
            g.put("keys", group.keys());
            g.put("hints_pending", group.hintsPending());
            groups.add(g);
        }
        fields.put("groups", groups);
        fields.put("change", state.map(s -> ViewRoutes.changeUnderWay(s, coordinator)).orElse(null));
        return fields;
    }

    /**
     * {@code GET /status}: the cluster as this node sees it: its view, every node of it with
     * whether it reported and is ready, every partition with its members, leader, keys and hinted
     * writes waiting, and the view change under way with its progress (from its coordinator's
     * report). Nodes are asked at once; one that does not answer in time is shown unreachable.
     */
    void cluster(Context ctx) {
        ClusterState state = engine.requireState();
        View view = state.view();
        List<CompletableFuture<JsonObject>> asked = view.nodes().stream().map(this::reportOf).toList();
        ctx.future(() -> CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new)).thenAccept(done -> {
            Map<NodeAddress, JsonObject> reports = new LinkedHashMap<>();
            for (int i = 0; i < asked.size(); i++) {
                JsonObject report = asked.get(i).join();
                if (report != null) {
                    reports.put(view.nodes().get(i), report);
                }
            }
            Replies.success(ctx, 200, ClusterPicture.of(engine.self(), state, reports,
                    ViewRoutes.changeUnderWay(state, coordinator)));
        }));
    }

    /** {@code node}'s report, or null if it gave none in time. */
    private CompletableFuture<JsonObject> reportOf(NodeAddress node) {
        if (node.equals(engine.self())) {
            return CompletableFuture.completedFuture(GSON.toJsonTree(report()).getAsJsonObject());
        }
        Request request = new Request.Builder().url(internalApi.url(node, "/internal/status")).get().build();
        return AsyncPeerCall.body(reports, request, node).thenApply(body -> {
            JsonElement parsed = GSON.fromJson(new String(body, StandardCharsets.UTF_8), JsonElement.class);
            return parsed != null && parsed.isJsonObject() ? parsed.getAsJsonObject() : null;
        }).exceptionally(noReport -> null);
    }
}
