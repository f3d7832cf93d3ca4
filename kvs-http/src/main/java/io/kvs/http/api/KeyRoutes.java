package io.kvs.http.api;

import io.kvs.http.gateway.KeyGateway;
import io.kvs.http.gateway.KeyWrite;
import io.javalin.http.Context;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET}, {@code PUT} and {@code DELETE /kv-store/<key>}. */
final class KeyRoutes {
    private final KeyGateway gateway;

    KeyRoutes(KeyGateway gateway) {
        this.gateway = gateway;
    }

    void put(Context ctx) {
        String key = ctx.pathParam("key");
        ctx.future(() -> Async.reply(ctx, () -> gateway.put(key, Params.get(ctx, "val"), Params.get(ctx, "causal_payload")),
                write -> written(ctx, write)));
    }

    /** The same answer as a PUT's; 404 for a key that holds no value. */
    void delete(Context ctx) {
        String key = ctx.pathParam("key");
        ctx.future(() -> Async.reply(ctx, () -> gateway.delete(key, Params.get(ctx, "causal_payload")),
                write -> written(ctx, write)));
    }

    private static void written(Context ctx, KeyWrite write) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("partition_id", write.partitionId());
        fields.put("causal_payload", write.causalPayload());
        fields.put("timestamp", write.timestamp());
        Replies.success(ctx, write.created() ? 201 : 200, fields);
    }

    void get(Context ctx) {
        String key = ctx.pathParam("key");
        ctx.future(() -> Async.reply(ctx, () -> gateway.get(key, Params.get(ctx, "causal_payload")),
                read -> {
                    Map<String, Object> fields = new LinkedHashMap<>();
                    fields.put("value", read.value());
                    fields.put("partition_id", read.partitionId());
                    fields.put("causal_payload", read.causalPayload());
                    fields.put("timestamp", read.timestamp());
                    Replies.success(ctx, 200, fields);
                }));
    }
}
