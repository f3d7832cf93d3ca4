package io.kvs.raft.client;

import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;

import java.util.concurrent.CompletableFuture;

/**
 * This node's own Raft server, when it leads a group: a request for that group is submitted to it
 * directly instead of through a client's RPC to this same server.
 */
@FunctionalInterface
public interface LocalLeader {
    /** For a client with no server of its own. */
    LocalLeader NONE = (group, message, type) -> null;

    /** The local division's reply if this node leads {@code group}, else null. */
    CompletableFuture<RaftClientReply> submitIfLeader(RaftGroupId group, Message message, RaftClientRequest.Type type);
}
