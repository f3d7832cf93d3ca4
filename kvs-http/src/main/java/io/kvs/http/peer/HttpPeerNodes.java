package io.kvs.http.peer;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.kvs.core.view.NodeAddress;
import io.kvs.raft.hint.HintPage;
import io.kvs.raft.migration.PeerNodes;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.PartitionCodec;
import io.kvs.raft.partition.PartitionQuery;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;

/** {@link PeerNodes} over the other nodes' internal HTTP API ({@code /internal/...}), with OkHttp. */
public final class HttpPeerNodes implements PeerNodes {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpPeerNodes.class);
    private static final MediaType JSON = MediaType.get("application/json");
    private static final Gson GSON = new Gson();

    private final OkHttpClient http;
    private final InternalApi api;

    /** @param http a client from {@link #newClient}, for the same {@code api} */
    public HttpPeerNodes(OkHttpClient http, InternalApi api) {
        this.http = http;
        this.api = api;
    }

    /** The client every node-to-node call uses: every call has a deadline, and is signed. */
    public static OkHttpClient newClient(InternalApi api) {
        return new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(1))
                .readTimeout(Duration.ofSeconds(10))
                .callTimeout(Duration.ofSeconds(15))
                .retryOnConnectionFailure(false)
                .socketFactory(new NoDelaySockets())
                .addInterceptor(api.signer())
                .build();
    }

    /** Stops a client's threads and drops its connections (OkHttp has no close of its own). */
    public static void shutdown(OkHttpClient client) {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    @Override
    public void join(NodeAddress node, String clusterId, List<NodeAddress> metadataMembers) throws IOException {
        InternalMessages.Join join = new InternalMessages.Join(clusterId,
                metadataMembers.stream().map(NodeAddress::toString).toList());
        call(post(node, "/internal/join", GSON.toJson(join)));
    }

    @Override
    public void leave(NodeAddress node) throws IOException {
        call(post(node, "/internal/leave", "{}"));
    }

    @Override
    public NodeStatus status(NodeAddress node) throws IOException {
        Request request = new Request.Builder().url(api.url(node, "/internal/status")).get().build();
        JsonObject status = GSON.fromJson(new String(call(request)), JsonObject.class);
        return new NodeStatus(status.get("epoch").getAsLong(), status.get("coordinating").getAsBoolean());
    }

    @Override
    public ExportPage exportReplica(NodeAddress node, int groupSerial, PartitionQuery.Export query) throws IOException {
        InternalMessages.ExportReplica export = new InternalMessages.ExportReplica(groupSerial,
                Base64.getEncoder().encodeToString(query.slots().toByteArray()), query.from().slot(),
                query.from().key(), query.maxBytes());
        return PartitionCodec.decodeExportPage(call(post(node, "/internal/export-replica", GSON.toJson(export))));
    }

    @Override
    public HintPage sealHints(NodeAddress node, int groupSerial, BitSet slots, long untilEpoch, long afterId)
            throws IOException {
        InternalMessages.SealHints seal = new InternalMessages.SealHints(groupSerial,
                Base64.getEncoder().encodeToString(slots.toByteArray()), untilEpoch, afterId);
        return HintPage.decode(call(post(node, "/internal/seal-hints", GSON.toJson(seal))));
    }

    @Override
    public void fence(NodeAddress node, int groupSerial, long untilEpoch) throws IOException {
        call(post(node, "/internal/fence", GSON.toJson(new InternalMessages.Fence(groupSerial, untilEpoch))));
    }

    private Request post(NodeAddress node, String path, String json) {
        return new Request.Builder().url(api.url(node, path)).post(RequestBody.create(json, JSON)).build();
    }

    /**
     * One call, tried a second time when the first failed on its connection without an answer
     * or a timeout: a pooled connection to a node that has since restarted fails at once, and
     * a view change must not take a live node for a dead one (it would leave the node's hinted
     * writes behind). Every call of this class is safe to repeat.
     */
    private byte[] call(Request request) throws IOException {
        try {
            return callOnce(request);
        } catch (PeerAnswered | InterruptedIOException e) {
            throw e;
        } catch (IOException connectionFailed) {
            return callOnce(request);
        }
    }

    /** The peer answered with an error status. */
    private static final class PeerAnswered extends IOException {
        PeerAnswered(String message) {
            super(message);
        }
    }

    private byte[] callOnce(Request request) throws IOException {
        try (Response response = http.newCall(request).execute()) {
            ResponseBody body = response.body();
            byte[] bytes = body == null ? new byte[0] : body.bytes();
            if (!response.isSuccessful()) {
                // The peer's body stays in this node's log: an error a client sees says which peer failed, not what it said.
                LOG.debug("{} answered {}: {}", request.url(), response.code(),
                        new String(bytes, 0, Math.min(bytes.length, 500), java.nio.charset.StandardCharsets.UTF_8));
                throw new PeerAnswered(request.url().host() + ":" + request.url().port() + " answered "
                        + response.code());
            }
            return bytes;
        }
    }
}
