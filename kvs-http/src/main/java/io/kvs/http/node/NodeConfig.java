package io.kvs.http.node;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.peer.InternalApi;
import io.kvs.raft.auth.ClusterSecret;
import io.kvs.raft.storage.DiskSpace;
import io.kvs.raft.storage.StoreMemory;
import io.kvs.raft.server.RaftPeers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A node's configuration, read from the environment (CONTRACT.md §1).
 *
 * @param self             {@code IPPORT}: this node's address, as the view names it
 * @param k                {@code K}, if given: replicas per partition
 * @param initialView      {@code VIEW}, if given: the nodes of the cluster to form at start
 * @param dataDir          {@code DATA_DIR}, default {@code data/<ip>_<port>}
 * @param bindHost         {@code BIND_ADDRESS}, default the host of {@code IPPORT}: where the
 *                         HTTP and Raft servers listen (a container sets {@code 0.0.0.0})
 * @param raftPortOffset   {@code RAFT_PORT_OFFSET}, default {@value RaftPeers#DEFAULT_PORT_OFFSET}:
 *                         a node's Raft port is its HTTP port plus this; the same on every node
 * @param internalPortOffset {@code INTERNAL_PORT_OFFSET}, default {@value InternalApi#DEFAULT_PORT_OFFSET}:
 *                         a node's internal API listens on its HTTP port plus this; the same on every node
 * @param clusterSecret    {@code CLUSTER_SECRET}, if set: node-to-node calls (Raft and the internal
 *                         API) must carry tokens of it; the same on every node
 * @param diskReserveBytes {@code DISK_RESERVE_MB}, default 64: the space the node keeps free on
 *                         its data directory's disk; below it, writes are refused with 507
 * @param storeMemoryBytes {@code STORE_MEMORY_MB}, default 128: the memory the node's partition
 *                         stores share for their block cache and write buffers, outside the heap
 * @param tombstoneGrace   {@code TOMBSTONE_GRACE_SECONDS}, default 3600: how long a deleted key's
 *                         tombstone is kept once every replica has it, the time a write accepted
 *                         without a majority before the delete has to reach its group
 * @param holdHintReplayWhile {@code KVS_HOLD_HINT_REPLAY_WHILE}, for tests only: while this file
 *                         exists the node replays none of its hinted writes, which lets a test
 *                         reach, deterministically, states that otherwise last milliseconds
 */
public record NodeConfig(NodeAddress self, Optional<Integer> k, Optional<List<NodeAddress>> initialView,
                         Path dataDir, String bindHost, int raftPortOffset, int internalPortOffset,
                         Optional<ClusterSecret> clusterSecret, long diskReserveBytes, long storeMemoryBytes,
                         Duration tombstoneGrace, Optional<Path> holdHintReplayWhile) {
    public static final Duration DEFAULT_TOMBSTONE_GRACE = Duration.ofHours(1);


    public static NodeConfig fromEnvironment(Map<String, String> env) {
        String ipPort = env.get("IPPORT");
        if (ipPort == null || ipPort.isBlank()) {
            throw new IllegalArgumentException("IPPORT is not set: give this node's ip:port, e.g. IPPORT=10.0.0.21:8080");
        }
        NodeAddress self = NodeAddress.parse(ipPort.trim());
        Optional<Integer> k = Optional.ofNullable(blankToNull(env.get("K"))).map(NodeConfig::parseK);
        Optional<List<NodeAddress>> view = Optional.ofNullable(blankToNull(env.get("VIEW")))
                .map(text -> Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                        .map(NodeAddress::parse).toList());
        if (view.isPresent()) {
            if (k.isEmpty()) {
                throw new IllegalArgumentException("VIEW is set but K is not: a cluster needs both");
            }
            if (!view.get().contains(self)) {
                throw new IllegalArgumentException("IPPORT " + self + " is not in VIEW " + view.get());
            }
            if (view.get().stream().distinct().count() != view.get().size()) {
                throw new IllegalArgumentException("VIEW names a node twice: " + view.get());
            }
        }
        Path dataDir = Path.of(Optional.ofNullable(blankToNull(env.get("DATA_DIR")))
                .orElse("data/" + self.host() + "_" + self.port()));
        String bindHost = Optional.ofNullable(blankToNull(env.get("BIND_ADDRESS"))).orElse(self.host());
        int offset = portOffset(env, "RAFT_PORT_OFFSET", RaftPeers.DEFAULT_PORT_OFFSET);
        int internalOffset = portOffset(env, "INTERNAL_PORT_OFFSET", InternalApi.DEFAULT_PORT_OFFSET);
        if (offset == internalOffset) {
            throw new IllegalArgumentException("RAFT_PORT_OFFSET and INTERNAL_PORT_OFFSET must differ");
        }
        Optional<Path> hold = Optional.ofNullable(blankToNull(env.get("KVS_HOLD_HINT_REPLAY_WHILE"))).map(Path::of);
        long reserve = Optional.ofNullable(blankToNull(env.get("DISK_RESERVE_MB")))
                .map(text -> parseMegabytes("DISK_RESERVE_MB", text, 0)).orElse(DiskSpace.DEFAULT_RESERVE_BYTES);
        long storeMemory = Optional.ofNullable(blankToNull(env.get("STORE_MEMORY_MB")))
                .map(text -> parseMegabytes("STORE_MEMORY_MB", text, 8)).orElse(StoreMemory.DEFAULT_BYTES);
        Duration grace = Optional.ofNullable(blankToNull(env.get("TOMBSTONE_GRACE_SECONDS")))
                .map(NodeConfig::parseGrace).orElse(DEFAULT_TOMBSTONE_GRACE);
        return new NodeConfig(self, k, view, dataDir, bindHost, offset, internalOffset,
                ClusterSecret.of(env.get("CLUSTER_SECRET")), reserve, storeMemory, grace, hold);
    }

    private static int portOffset(Map<String, String> env, String name, int fallback) {
        String text = blankToNull(env.get(name));
        if (text == null) {
            return fallback;
        }
        try {
            int offset = Integer.parseInt(text.trim());
            if (offset > 0 && offset < 65_535) {
                return offset;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a port offset between 1 and 65534, got '" + text + "'");
    }

    private static long parseMegabytes(String name, String text, long min) {
        try {
            long megabytes = Long.parseLong(text.trim());
            if (megabytes >= min && megabytes < (1L << 30)) {
                return megabytes << 20;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a number of MiB" + (min > 0 ? ", at least " + min : "")
                + ", got '" + text + "'");
    }

    private static Duration parseGrace(String text) {
        try {
            long seconds = Long.parseLong(text.trim());
            if (seconds >= 0 && seconds <= Duration.ofDays(365).toSeconds()) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("TOMBSTONE_GRACE_SECONDS must be a number of seconds from 0 to a year, got '"
                + text + "'");
    }

    private static int parseK(String text) {
        try {
            int k = Integer.parseInt(text.trim());
            if (k >= 1) {
                return k;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("K must be a positive integer, got '" + text + "'");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
