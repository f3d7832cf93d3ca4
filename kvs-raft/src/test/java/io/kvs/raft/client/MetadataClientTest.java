package io.kvs.raft.client;

import io.kvs.core.view.NodeAddress;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.server.RaftPeers;
import io.kvs.raft.server.TestAddresses;
import org.apache.ratis.protocol.RaftGroup;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MetadataClientTest {
    /**
     * Peers that accept connections and never answer (a hung process, a half-open connection):
     * Ratis' retries alone do not end such a request in any bounded time, and a request that
     * does not end leaves its client, and the client's connections, never closed.
     */
    @Test
    void aRequestToPeersThatNeverAnswerEndsWithinItsBound() throws Exception {
        try (SilentPeers silent = new SilentPeers(3)) {
            CompletableFuture<ClusterState> read = new MetadataClient().read(silent.group);
            assertThrows(ExecutionException.class,
                    () -> read.get(MetadataClient.REQUEST_BOUND_SECONDS + 3, TimeUnit.SECONDS));
        }
    }

    /**
     * Callers put their own, shorter deadline on the future they get (2 or 3 s): once that
     * completes it, the request's own end must still close the client. Seen from the peers: every
     * connection the client opened is closed by then.
     */
    @Test
    void aCallerThatStopsWaitingFirstStillLeavesTheClientClosed() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (SilentPeers silent = new SilentPeers(3)) {
            CompletableFuture<ClusterState> read = new MetadataClient().read(silent.group).orTimeout(1, TimeUnit.SECONDS);
            assertThrows(ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS));

            // The bound, then the client's close (gRPC waits up to 3 s for a graceful shutdown).
            Thread.sleep(TimeUnit.SECONDS.toMillis(MetadataClient.REQUEST_BOUND_SECONDS + 6));
            for (ServerSocket listener : silent.listeners) {
                listener.setSoTimeout(200);
                try {
                    while (true) {
                        accepted.add(listener.accept());
                    }
                } catch (SocketTimeoutException none) {
                    // every connection made to this peer is taken
                }
            }
            assertFalse(accepted.isEmpty(), "the client connected to no peer: the test shows nothing");
            for (Socket connection : accepted) {
                connection.setSoTimeout(2_000);
                assertDoesNotThrow(() -> connection.getInputStream().readAllBytes(),
                        "a connection the client left open"); // what the client sent, then its close
            }
        } finally {
            for (Socket connection : accepted) {
                connection.close();
            }
        }
    }

    /** A metadata group of peers that take connections on their Raft ports and never answer. */
    private static final class SilentPeers implements AutoCloseable {
        final List<ServerSocket> listeners = new ArrayList<>();
        final RaftGroup group;

        SilentPeers(int count) throws IOException {
            RaftPeers peers = new RaftPeers(RaftPeers.DEFAULT_PORT_OFFSET);
            List<NodeAddress> nodes = TestAddresses.next(count);
            try {
                for (NodeAddress node : nodes) {
                    listeners.add(new ServerSocket(peers.raftPort(node), 50, InetAddress.getByName(node.host())));
                }
            } catch (IOException e) {
                close();
                throw e;
            }
            group = peers.group(RaftPeers.metadataGroup(UUID.randomUUID().toString()), nodes);
        }

        @Override
        public void close() throws IOException {
            for (ServerSocket listener : listeners) {
                listener.close();
            }
        }
    }
}
