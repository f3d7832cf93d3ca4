package io.kvs.raft.client;

import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.MetaCommand;
import io.kvs.raft.meta.MetaJson;
import io.kvs.raft.server.RaftTuning;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Proposes changes to the metadata group and reads its state linearizably. Metadata requests
 * are rare and come while the group's membership changes (a leader may leave it right after
 * committing), so each uses a client of its own: a client that failed never serves another.
 */
public final class MetadataClient {
    /**
     * The longest a request may take, longer than any caller waits for one. Ratis' retry policy
     * alone is no bound: against peers that take connections but never answer, a request can
     * stay pending for minutes.
     */
    static final long REQUEST_BOUND_SECONDS = 10;

    /** Commits {@code command}; completes with the state after it was applied. */
    public CompletableFuture<ClusterState> propose(RaftGroup group, MetaCommand command) {
        return call(group, client -> client.async().send(Message.valueOf(MetaJson.encode(command))));
    }

    public CompletableFuture<ClusterState> read(RaftGroup group) {
        return call(group, client -> client.async().sendReadOnlyUnordered(Message.EMPTY));
    }

    private static CompletableFuture<ClusterState> call(RaftGroup group,
                                                        Function<RaftClient, CompletableFuture<RaftClientReply>> request) {
        RaftClient client = RaftClient.newBuilder()
                .setRaftGroup(group)
                .setProperties(RaftTuning.client())
                .setRetryPolicy(RaftTuning.clientRetry())
                .build();
        // The client is closed when its request ends, so the request must end, and the close
        // must hang off the request itself, not the future callers get: a caller that completes
        // that one first (its own shorter timeout) would skip a whenComplete on it. A client left
        // to the garbage collector unclosed leaves its gRPC channels unclosed too.
        CompletableFuture<RaftClientReply> sent = request.apply(client)
                .orTimeout(REQUEST_BOUND_SECONDS, TimeUnit.SECONDS);
        sent.whenComplete((reply, failure) -> ClientCloser.closeSoon(client));
        return sent.thenApply(reply -> decode(RaftReplies.content(reply)));
    }

    private static ClusterState decode(byte[] json) {
        return json.length == 0 ? null : MetaJson.decodeState(new String(json, StandardCharsets.UTF_8));
    }
}
