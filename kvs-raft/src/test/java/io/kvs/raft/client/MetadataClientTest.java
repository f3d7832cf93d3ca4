package io.kvs.raft.client;

import io.kvs.core.view.NodeAddress;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.server.RaftPeers;
import io.kvs.raft.server.TestAddresses;
import org.apache.ratis.protocol.RaftGroup;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;

class MetadataClientTest {
    /**
     * Peers that accept connections and never answer (a hung process, a half-open connection):
     * Ratis' retries alone do not end such a request in any bounded time, and a request that
     * does not end leaves its client, and the client's connections, never closed.
     */
    @Test
    void aRequestToPeersThatNeverAnswerEndsWithinItsBound() throws Exception {
        RaftPeers peers = new RaftPeers(RaftPeers.DEFAULT_PORT_OFFSET);
        List<NodeAddress> nodes = TestAddresses.next(3);
        List<ServerSocket> silent = new ArrayList<>();
        try {
            for (NodeAddress node : nodes) {
                silent.add(new ServerSocket(peers.raftPort(node), 50, InetAddress.getByName(node.host())));
            }
            RaftGroup group = peers.group(RaftPeers.metadataGroup(UUID.randomUUID().toString()), nodes);
            CompletableFuture<ClusterState> read = new MetadataClient().read(group);
            assertThrows(ExecutionException.class,
                    () -> read.get(MetadataClient.REQUEST_BOUND_SECONDS + 3, TimeUnit.SECONDS));
        } finally {
            for (ServerSocket socket : silent) {
                socket.close();
            }
        }
    }
}
