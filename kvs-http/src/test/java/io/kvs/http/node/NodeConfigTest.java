package io.kvs.http.node;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.peer.InternalApi;
import io.kvs.raft.server.RaftPeers;
import io.kvs.raft.storage.DiskSpace;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeConfigTest {
    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void aNodeOfAClusterStartedFromView() {
        NodeConfig config = NodeConfig.fromEnvironment(env("IPPORT", " 10.0.0.21:8080 ", "K", "2",
                "VIEW", "10.0.0.21:8080, 10.0.0.22:8080,,10.0.0.23:8080", "CLUSTER_SECRET", "s"));
        assertEquals(NodeAddress.parse("10.0.0.21:8080"), config.self());
        assertEquals(2, config.k().orElseThrow());
        assertEquals(List.of(NodeAddress.parse("10.0.0.21:8080"), NodeAddress.parse("10.0.0.22:8080"),
                NodeAddress.parse("10.0.0.23:8080")), config.initialView().orElseThrow());
        assertEquals(Path.of("data/10.0.0.21_8080"), config.dataDir());
        assertEquals("10.0.0.21", config.bindHost());
        assertEquals(RaftPeers.DEFAULT_PORT_OFFSET, config.raftPortOffset());
        assertEquals(InternalApi.DEFAULT_PORT_OFFSET, config.internalPortOffset());
        assertEquals(DiskSpace.DEFAULT_RESERVE_BYTES, config.diskReserveBytes());
        assertTrue(config.clusterSecret().isPresent());
        assertTrue(config.holdHintReplayWhile().isEmpty());
    }

    @Test
    void aNodeWaitingToBeAddedAndItsSettings() {
        NodeConfig config = NodeConfig.fromEnvironment(env("IPPORT", "10.0.0.25:8080", "DATA_DIR", "/data",
                "BIND_ADDRESS", "0.0.0.0", "RAFT_PORT_OFFSET", "100", "INTERNAL_PORT_OFFSET", "200",
                "DISK_RESERVE_MB", "5"));
        assertTrue(config.initialView().isEmpty() && config.k().isEmpty() && config.clusterSecret().isEmpty());
        assertEquals(Path.of("/data"), config.dataDir());
        assertEquals("0.0.0.0", config.bindHost());
        assertEquals(100, config.raftPortOffset());
        assertEquals(200, config.internalPortOffset());
        assertEquals(5L << 20, config.diskReserveBytes());
    }

    @Test
    void whatCannotWorkIsRefusedAtStart() {
        for (Map<String, String> bad : List.of(env(), env("IPPORT", "nope"),
                env("IPPORT", "10.0.0.21:8080", "VIEW", "10.0.0.21:8080"),
                env("IPPORT", "10.0.0.21:8080", "K", "0", "VIEW", "10.0.0.21:8080"),
                env("IPPORT", "10.0.0.21:8080", "K", "x"),
                env("IPPORT", "10.0.0.21:8080", "K", "2", "VIEW", "10.0.0.22:8080"),
                env("IPPORT", "10.0.0.21:8080", "K", "2", "VIEW", "10.0.0.21:8080,10.0.0.21:8080"),
                env("IPPORT", "10.0.0.21:8080", "RAFT_PORT_OFFSET", "70000"),
                env("IPPORT", "10.0.0.21:8080", "RAFT_PORT_OFFSET", "300", "INTERNAL_PORT_OFFSET", "300"),
                env("IPPORT", "10.0.0.21:8080", "DISK_RESERVE_MB", "-1"))) {
            assertThrows(RuntimeException.class, () -> NodeConfig.fromEnvironment(bad), bad.toString());
        }
    }
}
