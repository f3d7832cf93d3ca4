package io.kvs.http.api;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.engine.StoreEngine;
import io.javalin.http.Context;

import java.util.Map;

/** The partition information endpoints, answered from this node's copy of the view. */
final class PartitionRoutes {
    private final StoreEngine engine;

    PartitionRoutes(StoreEngine engine) {
        this.engine = engine;
    }

    void partitionId(Context ctx) {
        View view = engine.requireState().view();
        Replies.success(ctx, 200, Map.of("partition_id", view.partitionIdOf(engine.self())));
    }

    void allPartitionIds(Context ctx) {
        View view = engine.requireState().view();
        Replies.success(ctx, 200, Map.of("partition_id_list", view.partitions().stream().map(Partition::id).toList()));
    }

    void partitionMembers(Context ctx) {
        String text = Params.get(ctx, "partition_id");
        if (text == null || text.isBlank()) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "partition_id is missing");
        }
        int id;
        try {
            id = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "partition_id must be an integer, got '" + text + "'");
        }
        View view = engine.requireState().view();
        Replies.success(ctx, 200, Map.of("partition_members",
                view.partition(id).members().stream().map(NodeAddress::toString).toList()));
    }
}
