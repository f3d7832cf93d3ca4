package io.kvs.http.peer;

import io.kvs.core.view.NodeAddress;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The coordinator's calls to other nodes survive a pooled connection that died with its peer
 * (a node restarted since the last call), and still report a peer that is down or answers an
 * error. The peer is a raw socket server, so each connection's fate is chosen by the test.
 */
class HttpPeerNodesTest {
    private static final String STATUS = "{\"epoch\":7,\"coordinating\":false}";

    private final InternalApi api = new InternalApi(1, Optional.empty());
    private final OkHttpClient http = HttpPeerNodes.newClient(api);
    private final HttpPeerNodes peers = new HttpPeerNodes(http, api);
    private ServerSocket server;

    @AfterEach
    void close() throws IOException {
        HttpPeerNodes.shutdown(http);
        if (server != null) {
            server.close();
        }
    }

    /** Answers the first request on the first connection, then drops it at the second: a restart. */
    @Test
    void aConnectionThatDiedWithItsPeerIsReplacedOnce() throws Exception {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        AtomicInteger requests = new AtomicInteger();
        Thread peer = new Thread(() -> {
            try (Socket first = server.accept()) {
                BufferedReader in = reader(first);
                readRequest(in);
                requests.incrementAndGet();
                answer(first.getOutputStream(), 200, STATUS);
                readRequest(in);
                requests.incrementAndGet(); // dropped unanswered, as by a killed process
            } catch (IOException ignored) {
                return;
            }
            try (Socket second = server.accept()) {
                readRequest(reader(second));
                requests.incrementAndGet();
                answer(second.getOutputStream(), 200, STATUS);
            } catch (IOException ignored) {
                // the test's assertions report it
            }
        });
        peer.start();
        NodeAddress node = nodeServedBy(server);

        assertEquals(7, peers.status(node).viewEpoch());
        assertEquals(7, peers.status(node).viewEpoch(), "the second call, on a new connection");
        peer.join(5_000);
        assertEquals(3, requests.get());
    }

    @Test
    void aPeerThatAnswersAnErrorIsNotAskedAgain() throws Exception {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        AtomicInteger requests = new AtomicInteger();
        Thread peer = new Thread(() -> {
            try (Socket socket = server.accept()) {
                readRequest(reader(socket));
                requests.incrementAndGet();
                answer(socket.getOutputStream(), 503, "{}");
                socket.setSoTimeout(500);
                readRequest(reader(socket));
                requests.incrementAndGet();
            } catch (IOException ignored) {
                // no second request: what the test expects
            }
        });
        peer.start();

        assertThrows(IOException.class, () -> peers.status(nodeServedBy(server)));
        peer.join(5_000);
        assertEquals(1, requests.get());
    }

    @Test
    void aPeerThatIsDownFailsTheCall() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        NodeAddress node = NodeAddress.parse("127.0.0.1:" + (port - 1));
        assertThrows(IOException.class, () -> peers.status(node));
    }

    /** The node whose internal port (its port + 1 here) is {@code server}'s. */
    private static NodeAddress nodeServedBy(ServerSocket server) {
        return NodeAddress.parse("127.0.0.1:" + (server.getLocalPort() - 1));
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    }

    /** Reads one request without a body (a GET): its lines up to the empty one. */
    private static void readRequest(BufferedReader in) throws IOException {
        String line;
        do {
            line = in.readLine();
            if (line == null) {
                throw new IOException("connection closed");
            }
        } while (!line.isEmpty());
    }

    private static void answer(OutputStream out, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: application/json\r\nContent-Length: " + bytes.length
                + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.write(bytes);
        out.flush();
    }
}
