package io.kvs.raft.client;

import io.kvs.raft.server.RaftTuning;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.util.TimeDuration;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Membership changes of a group. A new member first hosts the group (empty); the leader then
 * brings it up to date through its log or a snapshot before the new configuration commits, which
 * takes longer than a client request: these calls have their own, longer, bounded timeout.
 */
public final class GroupAdmin {
    private static final TimeDuration CHANGE_TIMEOUT = TimeDuration.valueOf(20, TimeUnit.SECONDS);

    private GroupAdmin() {
    }

    /** Sets the group's members to {@code members}; fails if the group cannot commit the change. */
    public static void setMembers(RaftGroup group, List<RaftPeer> members) throws IOException {
        RaftProperties properties = RaftTuning.client();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, CHANGE_TIMEOUT);
        try (RaftClient client = RaftClient.newBuilder()
                .setRaftGroup(group)
                .setProperties(properties)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(5,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build()) {
            RaftClientReply reply = client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                    .setServersInNewConf(members)
                    .setMode(SetConfigurationRequest.Mode.SET_UNCONDITIONALLY)
                    .build());
            if (!reply.isSuccess()) {
                throw new IOException("group " + group.getGroupId() + " did not change members: " + reply.getException());
            }
        }
    }
}
