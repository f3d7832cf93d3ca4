package io.kvs.http.peer;

import io.kvs.raft.client.LeaderRelay;
import io.kvs.raft.partition.PartitionCodec;
import io.kvs.raft.partition.WriteReply;
import io.kvs.raft.server.RaftPeers;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@link LeaderRelay} over the leader's internal HTTP API: the encoded batch in one POST to
 * {@value #PATH}{@code <group uuid>}, answered with the encoded replies.
 */
public final class HttpLeaderRelay implements LeaderRelay {
    public static final String PATH = "/internal/relay-writes/";
    private static final MediaType BINARY = MediaType.get("application/octet-stream");
    /**
     * Past this the batch's writes are past their own deadlines (a key request's second): the
     * leader refuses them as late, and a batch sent again through a Raft client learns so at once.
     */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(200);
    /**
     * Batches relayed to one node at once: one per group it leads and node that writes to it,
     * more while a group stalls. OkHttp's default of 5 per host would queue them behind each other.
     */
    private static final int MAX_CALLS_PER_NODE = 64;

    private final OkHttpClient http;
    private final InternalApi api;

    /** @param peerHttp the node's client of other nodes: its connections, threads and signing are shared */
    public HttpLeaderRelay(OkHttpClient peerHttp, InternalApi api) {
        Dispatcher dispatcher = new Dispatcher(peerHttp.dispatcher().executorService());
        dispatcher.setMaxRequestsPerHost(MAX_CALLS_PER_NODE);
        this.http = peerHttp.newBuilder()
                .dispatcher(dispatcher)
                .connectTimeout(CONNECT_TIMEOUT)
                .callTimeout(CALL_TIMEOUT)
                .build();
        this.api = api;
    }

    @Override
    public CompletableFuture<List<WriteReply>> relay(RaftPeerId leader, RaftGroupId group, byte[] encodedPuts) {
        Request request = new Request.Builder()
                .url(api.url(RaftPeers.nodeOf(leader), PATH + group.getUuid()))
                .post(RequestBody.create(encodedPuts, BINARY))
                .build();
        return AsyncPeerCall.body(http, request, leader).thenApply(PartitionCodec::decodeWriteReplies);
    }
}
