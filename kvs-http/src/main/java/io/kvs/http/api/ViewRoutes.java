package io.kvs.http.api;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.ViewChange;
import io.kvs.http.peer.InternalApi;
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
    private final ViewChangeCoordinator coordinator;
    /** View changes block on remote steps; they run one at a time off the HTTP threads. */
    private final ExecutorService executor;
    private final InternalApi internalApi;
    /** Requests queued for the executor or running on it; one change runs at a time, a few may wait. */
    private final AtomicInteger waiting = new AtomicInteger();
    private static final int MAX_WAITING = 4;

    ViewRoutes(ViewChangeCoordinator coordinator, ExecutorService executor, InternalApi internalApi) {
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
}
