package io.kvs.http.gateway;

import com.google.gson.Gson;
import io.kvs.core.view.NodeAddress;
import io.kvs.http.peer.AsyncPeerCall;
import io.kvs.http.peer.InternalApi;
import io.kvs.http.peer.InternalMessages;
import io.kvs.http.peer.ReplicaAnswers;
import io.kvs.raft.engine.LocalReplica;
import io.kvs.raft.engine.StoreEngine;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Reaches one replica of a partition on its own: this node's directly, another node's over the
 * internal API with short deadlines (an unreachable replica must cost little: the next is tried).
 */
final class ReplicaAccess {
    private static final MediaType JSON = MediaType.get("application/json");
    private static final Duration CALL_TIMEOUT = Duration.ofMillis(400);
    /**
     * A replica refuses a write that reaches it this long after it was sent: by the call's
     * deadline this node tries the next replica, and a write the first one took late (it was
     * paused, or its link held the request) would then exist twice, the late copy with a newer
     * timestamp than writes made since. The margin before the deadline covers the fsync.
     */
    private static final Duration ACCEPT_WRITE_WITHIN = CALL_TIMEOUT.minusMillis(100);
    private static final Gson GSON = new Gson();

    private final StoreEngine engine;
    private final OkHttpClient http;
    /**
     * For reads, which are safe to send twice: OkHttp tries a read again on a new connection when
     * a pooled one fails (its replica restarted since), rather than skip a live replica.
     */
    private final OkHttpClient readHttp;
    private final InternalApi api;

    /** @param peerHttp the node's client of other nodes: its connections, threads and signing are shared */
    ReplicaAccess(StoreEngine engine, OkHttpClient peerHttp, InternalApi api) {
        this.engine = engine;
        this.api = api;
        this.http = peerHttp.newBuilder()
                .connectTimeout(Duration.ofMillis(200))
                .callTimeout(CALL_TIMEOUT)
                .build();
        this.readHttp = http.newBuilder().retryOnConnectionFailure(true).build();
    }

    CompletableFuture<LocalReplica.Answer> read(NodeAddress replica, InternalMessages.DegradedRequest request) {
        if (replica.equals(engine.self())) {
            return CompletableFuture.completedFuture(engine.replica(request.group()).degradedRead(request.request()));
        }
        return call(readHttp, replica, "/internal/degraded-read", request);
    }

    CompletableFuture<LocalReplica.Answer> write(NodeAddress replica, InternalMessages.DegradedRequest request) {
        if (replica.equals(engine.self())) {
            // No deadline here: this node waits for its own replica's answer, so nothing goes elsewhere meanwhile.
            return CompletableFuture.completedFuture(engine.replica(request.group()).degradedWrite(request.request()));
        }
        return call(http, replica, "/internal/degraded-write",
                request.notAfter(System.currentTimeMillis() + ACCEPT_WRITE_WITHIN.toMillis()));
    }

    private CompletableFuture<LocalReplica.Answer> call(OkHttpClient client, NodeAddress replica, String path,
                                                         InternalMessages.DegradedRequest body) {
        Request request = new Request.Builder().url(api.url(replica, path))
                .post(RequestBody.create(GSON.toJson(body), JSON)).build();
        return AsyncPeerCall.body(client, request, replica).thenApply(bytes -> {
            try {
                return ReplicaAnswers.decode(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
