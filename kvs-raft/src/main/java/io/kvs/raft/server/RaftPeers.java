package io.kvs.raft.server;

import io.kvs.core.view.NodeAddress;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How nodes and groups are named in Raft. A node's Raft port is its HTTP port plus a fixed
 * offset (default {@value #DEFAULT_PORT_OFFSET}, the same on every node), so any node can reach
 * any other's Raft server knowing only its {@code ip:port}. Group ids are derived from the
 * cluster id, so every node computes the same ids without asking anyone.
 */
public final class RaftPeers {
    public static final int DEFAULT_PORT_OFFSET = 10_000;
    private static final Map<String, RaftGroupId> PARTITION_GROUPS = new ConcurrentHashMap<>();

    private final int portOffset;

    public RaftPeers(int portOffset) {
        this.portOffset = portOffset;
    }

    public int raftPort(NodeAddress node) {
        int port = node.port() + portOffset;
        if (port > 65_535) {
            throw new IllegalArgumentException("Raft port of " + node + " would be " + port + "; set RAFT_PORT_OFFSET");
        }
        return port;
    }

    public static RaftPeerId peerId(NodeAddress node) {
        return RaftPeerId.valueOf(node.host() + "_" + node.port());
    }

    public static NodeAddress nodeOf(RaftPeerId id) {
        String text = id.toString();
        int split = text.lastIndexOf('_');
        return new NodeAddress(text.substring(0, split), Integer.parseInt(text.substring(split + 1)));
    }

    public RaftPeer peer(NodeAddress node) {
        return RaftPeer.newBuilder()
                .setId(peerId(node))
                .setAddress(node.host() + ":" + raftPort(node))
                .build();
    }

    public RaftGroup group(RaftGroupId id, List<NodeAddress> members) {
        return RaftGroup.valueOf(id, members.stream().map(this::peer).toList());
    }

    /** The identity of a cluster started from {@code VIEW} with K replicas. */
    public static String clusterId(List<NodeAddress> initialNodes, int k) {
        return uuid("kvs/cluster/" + k + "/" + initialNodes).toString();
    }

    public static RaftGroupId metadataGroup(String clusterId) {
        return RaftGroupId.valueOf(uuid(clusterId + "/metadata"));
    }

    /** Named on every key request: computed once per group (a name-based UUID costs an MD5). */
    public static RaftGroupId partitionGroup(String clusterId, int serial) {
        return PARTITION_GROUPS.computeIfAbsent(clusterId + "/group/" + serial, name -> RaftGroupId.valueOf(uuid(name)));
    }

    private static UUID uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }
}
