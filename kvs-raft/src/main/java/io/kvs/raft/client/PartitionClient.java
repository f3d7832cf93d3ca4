package io.kvs.raft.client;

import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.PartitionCodec;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.ReadReply;
import io.kvs.raft.partition.WriteReply;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.util.concurrent.CompletableFuture;

/** Sends writes and linearizable reads to a partition group's leader. */
public final class PartitionClient {
    private final GroupClients clients;

    public PartitionClient(GroupClients clients) {
        this.clients = clients;
    }

    public CompletableFuture<WriteReply> write(RaftGroup group, PartitionCommand command) {
        Message message = Message.valueOf(ByteString.copyFrom(PartitionCodec.encode(command)));
        return clients.call(group, client -> client.async().send(message))
                .thenApply(reply -> PartitionCodec.decodeWriteReply(RaftReplies.content(reply)));
    }

    /** A ReadIndex read on the leader: it reflects every write acknowledged before it began. */
    public CompletableFuture<ReadReply> read(RaftGroup group, PartitionQuery.Get query) {
        return query(group, query).thenApply(PartitionCodec::decodeReadReply);
    }

    /** A page of the keys in some slots, read on the leader. */
    public CompletableFuture<ExportPage> export(RaftGroup group, PartitionQuery.Export query) {
        return query(group, query).thenApply(PartitionCodec::decodeExportPage);
    }

    private CompletableFuture<byte[]> query(RaftGroup group, PartitionQuery query) {
        Message message = Message.valueOf(ByteString.copyFrom(PartitionCodec.encode(query)));
        return clients.call(group, client -> client.async().sendReadOnlyUnordered(message))
                .thenApply(RaftReplies::content);
    }
}
