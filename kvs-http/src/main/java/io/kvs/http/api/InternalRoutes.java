package io.kvs.http.api;

import com.google.gson.Gson;
import io.kvs.core.view.NodeAddress;
import io.kvs.http.peer.InternalMessages;
import io.kvs.http.peer.ReplicaAnswers;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.hint.HintPage;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.migration.ViewChangeCoordinator;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.PartitionCodec;
import io.kvs.raft.partition.PartitionQuery;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.Base64;
import java.util.BitSet;
import java.util.Map;

/** The node-to-node API a view-change coordinator uses (not part of the public contract). */
final class InternalRoutes {
    private static final Gson GSON = new Gson();
    /** Hints sent per answer to a view change collecting them: a page, not the whole backlog. */
    private static final int HINT_PAGE_BYTES = 512 * 1024;

    private final StoreEngine engine;
    private final ViewChangeCoordinator coordinator;

    InternalRoutes(StoreEngine engine, ViewChangeCoordinator coordinator) {
        this.engine = engine;
        this.coordinator = coordinator;
    }

    void join(Context ctx) throws IOException {
        InternalMessages.Join join = GSON.fromJson(ctx.body(), InternalMessages.Join.class);
        engine.join(join.clusterId(), join.members().stream().map(NodeAddress::parse).toList());
        Replies.success(ctx, 200, Map.of());
    }

    void leave(Context ctx) throws Exception {
        engine.leaveIfRemoved();
        Replies.success(ctx, 200, Map.of());
    }

    /** The view epoch this node routes by (-1 while it is in no cluster), and whether it drives a view change. */
    void status(Context ctx) {
        long epoch = engine.state().map(ClusterState::view).map(v -> v.epoch()).orElse(-1L);
        Replies.success(ctx, 200, Map.of("epoch", epoch, "coordinating", coordinator.isCoordinating()));
    }

    void replicaRead(Context ctx) throws IOException {
        InternalMessages.ReplicaRequest request = GSON.fromJson(ctx.body(), InternalMessages.ReplicaRequest.class);
        ctx.contentType("application/octet-stream").result(ReplicaAnswers.encode(request.readFrom(engine.localReplicas())));
    }

    void replicaWrite(Context ctx) throws IOException {
        InternalMessages.ReplicaRequest request = GSON.fromJson(ctx.body(), InternalMessages.ReplicaRequest.class);
        ctx.contentType("application/octet-stream").result(ReplicaAnswers.encode(request.writeTo(engine.localReplicas())));
    }

    void sealHints(Context ctx) throws IOException {
        InternalMessages.SealHints request = GSON.fromJson(ctx.body(), InternalMessages.SealHints.class);
        HintPage page = engine.sealHints(request.group(), BitSet.valueOf(Base64.getDecoder().decode(request.slots())),
                request.untilEpoch(), request.afterId(), HINT_PAGE_BYTES);
        ctx.contentType("application/octet-stream").result(page.encode());
    }

    void exportReplica(Context ctx) throws IOException {
        InternalMessages.ExportReplica request = GSON.fromJson(ctx.body(), InternalMessages.ExportReplica.class);
        PartitionQuery.Export query = new PartitionQuery.Export(
                BitSet.valueOf(Base64.getDecoder().decode(request.slots())),
                new ExportPage.Cursor(request.fromSlot(), request.fromKey()), request.maxBytes());
        ctx.contentType("application/octet-stream").result(PartitionCodec.encode(engine.exportReplica(request.group(), query)));
    }
}
