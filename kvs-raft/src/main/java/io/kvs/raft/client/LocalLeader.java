package io.kvs.raft.client;

import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;

import java.util.concurrent.CompletableFuture;

/**
 * This node's own Raft server, when it leads a group: a request for that group is submitted to it
 * directly instead of through a client's RPC to this same server. When it only follows the group,
 * it knows the leader its replica follows, which is where another node's requests are relayed.
 */
@FunctionalInterface
public interface LocalLeader {
    /** For a client with no server of its own. */
    LocalLeader NONE = (group, message, type) -> null;

    /** The local division's reply if this node leads {@code group}, else null. */
    CompletableFuture<RaftClientReply> submitIfLeader(RaftGroupId group, Message message, RaftClientRequest.Type type);

    /**
     * The leader this node's replica of {@code group} follows; null if it hosts no replica of
     * the group or its replica knows no leader. A replica hears from the leader with every
     * heartbeat, so this is fresher than a client's last answer, which may name a node long dead.
     */
    default RaftPeerId leaderOf(RaftGroupId group) {
        return null;
    }
}
