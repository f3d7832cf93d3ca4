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
    /**
     * Long enough for a new member to receive a group of gigabytes as a snapshot. A new member that stops making progress fails the change sooner:
     * Ratis gives it up once it has not answered for its staging timeout ({@code RaftTuning}).
     */
    private static final TimeDuration CHANGE_TIMEOUT = TimeDuration.valueOf(120, TimeUnit.SECONDS);
    private static final long LEADERSHIP_TRANSFER_MILLIS = 3_000;

    private GroupAdmin() {
    }

    /** Sets the group's members to {@code members}; fails if the group cannot commit the change. */
    public static void setMembers(RaftGroup group, List<RaftPeer> members) throws IOException {
        try (RaftClient client = adminClient(group)) {
            RaftClientReply reply = client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                    .setServersInNewConf(members)
                    .setMode(SetConfigurationRequest.Mode.SET_UNCONDITIONALLY)
                    .build());
            if (!reply.isSuccess()) {
                throw new IOException("group " + group.getGroupId() + " did not change members: " + reply.getException());
            }
        }
    }

    /**
     * Makes {@code peer} the group's leader. Done before the old leader is dropped from a group,
     * it replaces an election (half a second or more without a leader) by a hand-over.
     */
    public static void transferLeadership(RaftGroup group, RaftPeer peer) throws IOException {
        try (RaftClient client = adminClient(group)) {
            RaftClientReply reply = client.admin().transferLeadership(peer.getId(), LEADERSHIP_TRANSFER_MILLIS);
            if (!reply.isSuccess()) {
                throw new IOException("group " + group.getGroupId() + " did not hand leadership to " + peer.getId()
                        + ": " + reply.getException());
            }
        }
    }

    private static RaftClient adminClient(RaftGroup group) {
        RaftProperties properties = RaftTuning.client();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, CHANGE_TIMEOUT);
        return RaftClient.newBuilder()
                .setRaftGroup(group)
                .setProperties(properties)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(3,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build();
    }
}
