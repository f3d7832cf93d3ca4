package io.kvs.http.api;

import com.google.gson.Gson;
import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.key.KeySlots;
import io.kvs.core.view.NodeAddress;
import io.kvs.http.peer.InternalMessages;
import io.kvs.http.peer.ReplicaAnswers;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.hint.HintPage;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.client.LeaderRelay;
import io.kvs.raft.partition.PartitionCodec;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.javalin.http.Context;
import org.apache.ratis.protocol.RaftGroupId;

import java.io.IOException;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The node-to-node API (not part of the public contract): what a view-change coordinator asks of
 * other nodes, reads and writes of one replica alone, and writes relayed to a group's leader.
 */
final class InternalRoutes {
    private static final Gson GSON = new Gson();
    /** Hints sent per answer to a view change collecting them: a page, not the whole backlog. */
    private static final int HINT_PAGE_BYTES = 512 * 1024;

    private final StoreEngine engine;

    InternalRoutes(StoreEngine engine) {
        this.engine = engine;
    }

    /** The largest internal message: a replica write of a 1 MiB value, escaped as JSON. */
    private static final int MAX_MESSAGE_BYTES = 8 << 20;

    /** The JSON message of an internal request, or 400: the body is bounded and must be well formed. */
    private static <T> T message(Context ctx, Class<T> type) {
        byte[] body = Bodies.read(ctx, MAX_MESSAGE_BYTES);
        T message;
        try {
            message = GSON.fromJson(new String(body, java.nio.charset.StandardCharsets.UTF_8), type);
        } catch (RuntimeException malformed) { // Gson's parse errors, and a record refusing its fields
            Throwable cause = malformed;
            while (cause.getCause() != null && !(cause instanceof KvsException)) {
                cause = cause.getCause();
            }
            throw new KvsException(ErrorCode.BAD_REQUEST, "malformed " + type.getSimpleName()
                    + (cause instanceof KvsException ? ": " + cause.getMessage() : ""));
        }
        if (message == null) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "empty " + type.getSimpleName());
        }
        return message;
    }

    /** A set of hash slots as a base64 bit set, or 400. */
    private static BitSet slots(String base64) {
        try {
            BitSet slots = BitSet.valueOf(Base64.getDecoder().decode(base64));
            if (slots.length() > KeySlots.SLOT_COUNT) {
                throw new KvsException(ErrorCode.BAD_REQUEST, "no slot above " + (KeySlots.SLOT_COUNT - 1));
            }
            return slots;
        } catch (IllegalArgumentException malformed) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "slots are not base64: " + malformed.getMessage());
        }
    }

    void join(Context ctx) throws IOException {
        InternalMessages.Join join = message(ctx, InternalMessages.Join.class);
        engine.join(join.clusterId(), join.members().stream().map(NodeAddress::parse).toList());
        Replies.success(ctx, 200, Map.of());
    }

    void leave(Context ctx) throws Exception {
        engine.leaveIfRemoved();
        Replies.success(ctx, 200, Map.of());
    }

    void degradedRead(Context ctx) throws IOException {
        InternalMessages.DegradedRequest request = message(ctx, InternalMessages.DegradedRequest.class);
        ctx.contentType("application/octet-stream").result(ReplicaAnswers.encode(engine.replica(request.group()).degradedRead(request.request())));
    }

    void degradedWrite(Context ctx) throws IOException {
        InternalMessages.DegradedRequest request = message(ctx, InternalMessages.DegradedRequest.class);
        if (request.value() == null && !request.delete()) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "a replica write names no value and is no delete");
        }
        ctx.contentType("application/octet-stream").result(ReplicaAnswers.encode(engine.replica(request.group()).degradedWrite(request.request())));
    }

    void sealHints(Context ctx) throws IOException {
        InternalMessages.SealHints request = message(ctx, InternalMessages.SealHints.class);
        HintPage page = engine.replica(request.group()).sealHints(slots(request.slots()),
                request.untilEpoch(), request.afterId(), HINT_PAGE_BYTES);
        ctx.contentType("application/octet-stream").result(page.encode());
    }

    void fence(Context ctx) throws IOException {
        InternalMessages.Fence fence = message(ctx, InternalMessages.Fence.class);
        engine.replica(fence.group()).fence(fence.untilEpoch());
        Replies.success(ctx, 200, Map.of());
    }

    /**
     * Client writes another node relayed to this one as their group's leader; 503 if it does not
     * lead the group, and the relaying node sends them through a Raft client instead.
     */
    void relayWrites(Context ctx) {
        RaftGroupId group = groupId(ctx.pathParam("group"));
        byte[] body = Bodies.read(ctx, LeaderRelay.MAX_BYTES);
        List<PartitionCommand.Put> puts;
        try {
            puts = PartitionCodec.decodePuts(body);
        } catch (RuntimeException malformed) { // truncated, an unknown command, a bad field
            throw new KvsException(ErrorCode.BAD_REQUEST, "malformed relayed writes: " + malformed.getMessage());
        }
        ctx.future(() -> Async.reply(ctx, () -> engine.putRelayed(group, puts),
                replies -> ctx.contentType("application/octet-stream").result(PartitionCodec.encodeWriteReplies(replies))));
    }

    private static RaftGroupId groupId(String uuid) {
        try {
            return RaftGroupId.valueOf(UUID.fromString(uuid));
        } catch (IllegalArgumentException malformed) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "not a group id: " + uuid);
        }
    }

    void exportReplica(Context ctx) throws IOException {
        InternalMessages.ExportReplica request = message(ctx, InternalMessages.ExportReplica.class);
        PartitionQuery.Export query = new PartitionQuery.Export(
                slots(request.slots()),
                new ExportPage.Cursor(request.fromSlot(), request.fromKey()), request.maxBytes());
        ctx.contentType("application/octet-stream").result(PartitionCodec.encode(engine.replica(request.group()).export(query)));
    }
}
