package io.kvs.raft.client;

import org.apache.ratis.protocol.RaftClientReply;

import java.util.concurrent.CompletionException;

/** Turns a Ratis reply into its content, or into the failure it reports. */
final class RaftReplies {
    private RaftReplies() {
    }

    static byte[] content(RaftClientReply reply) {
        if (!reply.isSuccess()) {
            throw new CompletionException(reply.getException());
        }
        return reply.getMessage().getContent().toByteArray();
    }
}
