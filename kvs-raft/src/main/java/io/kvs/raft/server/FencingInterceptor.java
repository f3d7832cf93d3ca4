package io.kvs.raft.server;

import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.thirdparty.io.grpc.ForwardingServerCallListener;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;

/**
 * Keeps this node's fenced replicas ({@link GroupFences}) out of their groups: a request from
 * another server of a fenced group (entries to append, a vote, a snapshot, an election) is
 * refused before Ratis sees it, and the call ends.
 */
final class FencingInterceptor implements ServerInterceptor {
    private final GroupFences fences;

    FencingInterceptor(GroupFences fences) {
        this.fences = fences;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                      ServerCallHandler<Q, A> next) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
            private boolean closed;

            @Override
            public void onMessage(Q message) {
                if (closed) {
                    return;
                }
                RaftRpcRequestProto request = serverRequestOf(message);
                if (request != null && fences.isFenced(RaftGroupId.valueOf(request.getRaftGroupId().getId()))) {
                    closed = true;
                    call.close(Status.FAILED_PRECONDITION.withDescription("this replica is fenced for a view change"),
                            new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!closed) {
                    super.onHalfClose();
                }
            }
        };
    }

    /** The server-to-server header of a Raft request, or null for any other message. */
    private static RaftRpcRequestProto serverRequestOf(Object message) {
        if (message instanceof AppendEntriesRequestProto m) {
            return m.getServerRequest();
        }
        if (message instanceof RequestVoteRequestProto m) {
            return m.getServerRequest();
        }
        if (message instanceof InstallSnapshotRequestProto m) {
            return m.getServerRequest();
        }
        if (message instanceof StartLeaderElectionRequestProto m) {
            return m.getServerRequest();
        }
        return null;
    }
}
