package io.kvs.raft.client;

import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.MetaCommand;
import io.kvs.raft.meta.MetaJson;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/** Proposes changes to the metadata group and reads its state linearizably. */
public final class MetadataClient {
    private final GroupClients clients;

    public MetadataClient(GroupClients clients) {
        this.clients = clients;
    }

    /** Commits {@code command}; completes with the state after it was applied. */
    public CompletableFuture<ClusterState> propose(RaftGroup group, MetaCommand command) {
        return clients.call(group, client -> client.async().send(Message.valueOf(MetaJson.encode(command))))
                .thenApply(reply -> decode(RaftReplies.content(reply)));
    }

    public CompletableFuture<ClusterState> read(RaftGroup group) {
        return clients.call(group, client -> client.async().sendReadOnlyUnordered(Message.EMPTY))
                .thenApply(reply -> decode(RaftReplies.content(reply)));
    }

    private static ClusterState decode(byte[] json) {
        return json.length == 0 ? null : MetaJson.decodeState(new String(json, StandardCharsets.UTF_8));
    }
}
