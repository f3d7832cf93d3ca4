package io.kvs.raft.meta;

import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.View;
import io.kvs.raft.client.MetadataClient;
import io.kvs.raft.server.NodeRaftServer;
import io.kvs.raft.server.RaftPeers;
import io.kvs.raft.server.TestAddresses;
import io.kvs.raft.server.RaftTuning;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A metadata command that cannot be read or applied is refused before it enters the log; before
 * that, one 40-byte message of garbage closed the metadata group on every replica, for good.
 */
class MalformedMetadataTest {
    private final RaftPeers peers = new RaftPeers(RaftPeers.DEFAULT_PORT_OFFSET);
    private final NodeAddress node = TestAddresses.next();
    private final RaftGroup group = peers.group(RaftGroupId.valueOf(UUID.randomUUID()), List.of(node));

    @Test
    void garbageIsRefusedAndTheGroupKeepsServing(@TempDir Path dir) throws Exception {
        NodeRaftServer server = new NodeRaftServer(node, node.host(), dir, peers, gid -> new MetadataStateMachine(s -> { }));
        server.start();
        try {
            server.addGroup(group);
            ClusterState initial = ClusterState.initial("cluster", "tag", View.initial(List.of(node), 1));
            assertEquals(initial, Proposals.untilCommitted(group, new MetaCommand.Init(initial)));

            for (String garbage : List.of("{\"type\":\"BeginChange\",\"body\":{}}", "not json at all",
                    "{\"type\":\"Nope\",\"body\":{}}",
                    "{\"type\":\"AdvanceChange\",\"body\":{\"targetEpoch\":2,\"target\":{\"slots\":[[0,2000000000]]}}}")) {
                // Refused on every attempt, until the client's retries run out.
                assertThrows(Exception.class, () -> sendRaw(garbage), garbage);
            }
            assertEquals(initial, new MetadataClient().read(group).get(10, TimeUnit.SECONDS), "still serving");
            ClusterState aborted = new MetadataClient().propose(group, new MetaCommand.AbortChange(2, null))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(initial, aborted, "and still taking commands");
        } finally {
            server.close();
        }
    }

    private void sendRaw(String text) throws Exception {
        try (RaftClient client = RaftClient.newBuilder().setRaftGroup(group).setProperties(RaftTuning.client())
                .setRetryPolicy(RaftTuning.clientRetry()).build()) {
            client.async().send(Message.valueOf(text)).get(3, TimeUnit.SECONDS);
        }
    }
}
