package io.kvs.raft.meta;

import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.View;
import io.kvs.raft.client.MetadataClient;
import io.kvs.raft.server.NodeRaftServer;
import io.kvs.raft.server.RaftPeers;
import io.kvs.raft.server.TestAddresses;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A node restarted while the rest of its cluster is down knows its view at once, with no leader
 * to tell it what is committed: Ratis logs no commit indices (RaftTuning), so the view comes from
 * the snapshot the metadata state machine writes of every state it applies.
 */
class MetadataRestartTest {
    private final RaftPeers peers = new RaftPeers(RaftPeers.DEFAULT_PORT_OFFSET);
    private final List<NodeAddress> nodes = TestAddresses.next(3);
    private final RaftGroup group = peers.group(RaftGroupId.valueOf(UUID.randomUUID()), nodes);

    @Test
    void aNodeRestartedAloneKnowsTheLatestView(@TempDir Path dir) throws Exception {
        ClusterState initial = ClusterState.initial("cluster", "tag", View.initial(nodes, 3));
        NodeRaftServer[] servers = new NodeRaftServer[nodes.size()];
        for (int i = 0; i < servers.length; i++) {
            servers[i] = start(dir.resolve("n" + i), i);
            servers[i].addGroup(group);
        }
        assertEquals(initial, Proposals.untilCommitted(group, new MetaCommand.Init(initial)));
        MetadataStateMachine first = servers[0].stateMachine(group.getGroupId(), MetadataStateMachine.class).orElseThrow();
        // A follower applies once the next append or heartbeat names the commit.
        Awaitility.await("node 0 to apply the view and make it durable").atMost(Duration.ofSeconds(10))
                .until(() -> first.state() != null && first.getLatestSnapshot() != null);
        assertEquals(initial, first.state(), "node 0 applied the view");
        assertNotNull(first.getLatestSnapshot(), "node 0 applied the view but did not make it durable");
        // A crash: node 0's files as they are now, while it runs. A server that stops cleanly
        // takes a snapshot, which would hide what a killed one leaves behind.
        Path crashed = dir.resolve("n0-killed");
        copyTree(dir.resolve("n0"), crashed);
        for (NodeRaftServer server : servers) {
            server.close();
        }

        NodeRaftServer alone = start(crashed, 0);
        try {
            MetadataStateMachine restarted = alone.stateMachine(group.getGroupId(), MetadataStateMachine.class).orElseThrow();
            assertNotNull(restarted.state(), "the restarted node has no view");
            assertEquals(initial, restarted.state());
        } finally {
            alone.close();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : paths.toList()) {
                Path target = to.resolve(from.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }

    private NodeRaftServer start(Path data, int i) throws Exception {
        NodeAddress self = nodes.get(i);
        NodeRaftServer server = new NodeRaftServer(self, self.host(), data, peers,
                gid -> new MetadataStateMachine(state -> { }));
        server.start();
        return server;
    }
}
