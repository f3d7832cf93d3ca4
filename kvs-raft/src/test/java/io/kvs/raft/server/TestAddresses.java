package io.kvs.raft.server;

import io.kvs.core.view.NodeAddress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Addresses for the Raft servers tests start, from one place: each call gives loopback hosts no
 * other call in this JVM gave, on a port free on each of them together with its Raft port.
 * Tests never pick addresses by hand, so two of them can never meet on one.
 */
public final class TestAddresses {
    private static final AtomicInteger NEXT_HOST = new AtomicInteger(2);
    private static final int ATTEMPTS = 50;

    private TestAddresses() {
    }

    /** One address. */
    public static NodeAddress next() {
        return next(1).get(0);
    }

    /** {@code count} addresses on one port, each on a host of its own. */
    public static List<NodeAddress> next(int count) {
        int first = NEXT_HOST.getAndAdd(count);
        if (first + count > 254) {
            throw new IllegalStateException("no loopback hosts left in 127.0.1.0/24");
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(10_000, 65_535 - RaftPeers.DEFAULT_PORT_OFFSET);
            List<NodeAddress> addresses = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                addresses.add(new NodeAddress("127.0.1." + (first + i), port));
            }
            if (addresses.stream().allMatch(TestAddresses::free)) {
                return addresses;
            }
        }
        throw new UncheckedIOException(new IOException("no free port for " + count + " test servers"));
    }

    private static boolean free(NodeAddress address) {
        try {
            InetAddress host = InetAddress.getByName(address.host());
            try (ServerSocket http = new ServerSocket(address.port(), 1, host);
                 ServerSocket raft = new ServerSocket(address.port() + RaftPeers.DEFAULT_PORT_OFFSET, 1, host)) {
                return true;
            }
        } catch (IOException busy) {
            return false;
        }
    }
}
