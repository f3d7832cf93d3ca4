package io.kvs.raft.server;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * Ratis' gRPC transport with {@link CommitPushingLogAppender} as the leader's appender. Ratis
 * creates it by class name from the server's properties ({@link RaftTuning}), so it has a public
 * no-argument constructor.
 */
public final class CommitPushingGrpc implements RpcType {

    @Override
    public String name() {
        return CommitPushingGrpc.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        return new GrpcFactory(parameters) {
            @Override
            public LogAppender newLogAppender(RaftServer.Division server, LeaderState state, FollowerInfo follower) {
                return new CommitPushingLogAppender(server, state, follower);
            }
        };
    }
}
