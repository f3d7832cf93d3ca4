package io.kvs.http.api;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.ViewChange;
import io.kvs.http.peer.InternalApi;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.ViewChangeProgress;
import io.kvs.raft.migration.ViewChangeCoordinator;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/** {@code PUT /kv-store/update_view?type=add|remove} with {@code ip_port}. */
final class ViewRoutes {
    private final StoreEngine engine;
    private final ViewChangeCoordinator coordinator;
    /** View changes block on remote steps; they run one at a time off the HTTP threads. */
    private final ExecutorService executor;
    private final InternalApi internalApi;
    /** Requests queued for the executor or running on it; one change runs at a time, a few may wait. */
    private final AtomicInteger waiting = new AtomicInteger();
    private static final int MAX_WAITING = 4;

    ViewRoutes(StoreEngine engine, ViewChangeCoordinator coordinator, ExecutorService executor,
               InternalApi internalApi) {
        this.engine = engine;
        this.coordinator = coordinator;
        this.executor = executor;
        this.internalApi = internalApi;
    }

    void updateView(Context ctx) {
        String typeText = Params.get(ctx, "type");
        ViewChange.Type type = ViewChange.Type.parse(typeText);
        if (type == null) {
            throw new KvsException(ErrorCode.BAD_REQUEST, typeText == null
                    ? "type is missing: use update_view?type=add or type=remove"
                    : "type must be add or remove, got '" + typeText + "'");
        }
        NodeAddress node = NodeAddress.parse(Params.get(ctx, "ip_port"));
        internalApi.port(node); // a node must have an internal API port to be in a view
        if (waiting.incrementAndGet() > MAX_WAITING) {
            waiting.decrementAndGet();
            throw new KvsException(ErrorCode.VIEW_CHANGE_IN_PROGRESS, "other view changes are waiting to run; "
                    + "retry when they are done");
        }
        ctx.future(() -> Async.reply(ctx, () -> CompletableFuture.supplyAsync(() -> {
            try {
                return coordinator.change(type, node);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                waiting.decrementAndGet();
            }
        }, executor), result -> {
            Map<String, Object> fields = new LinkedHashMap<>();
            if (type == ViewChange.Type.ADD) {
                fields.put("partition_id", result.partitionId());
            }
            fields.put("number_of_partitions", result.partitionCount());
            Replies.success(ctx, 200, fields);
        }));
    }

    /**
     * {@code GET /view-change}: the view this node routes by and the change under way, if any:
     * what it adds or removes, its step and its coordinator, and, on the coordinating node, how
     * far its data has moved. A client follows a long change by asking again.
     */
    void viewChange(Context ctx) {
        ClusterState state = engine.requireState();
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("view_epoch", state.view().epoch());
        fields.put("number_of_partitions", state.view().partitionCount());
        fields.put("change", changeUnderWay(state, coordinator));
        Replies.success(ctx, 200, fields);
    }

    /** The change {@code state} has under way as an answer's field, or null; with its progress if this node drives it. */
    static Map<String, Object> changeUnderWay(ClusterState state, ViewChangeCoordinator coordinator) {
        ViewChangeProgress change = state.change();
        if (change == null) {
            return null;
        }
        Map<String, Object> running = new LinkedHashMap<>();
        running.put("type", change.type().name().toLowerCase());
        running.put("ip_port", change.node().toString());
        running.put("to_epoch", change.target().epoch());
        running.put("number_of_partitions", change.target().partitionCount());
        running.put("step", change.phase().name().toLowerCase());
        running.put("coordinator", change.coordinator().toString());
        coordinator.progress().current().ifPresent(moved -> running.put("progress", Map.of(
                "slots_to_move", moved.slotsToMove(), "slots_moved", moved.slotsMoved(), "keys_moved", moved.keysMoved())));
        return running;
    }
}
