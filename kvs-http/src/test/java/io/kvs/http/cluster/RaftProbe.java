package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.raft.auth.ClusterSecret;
import io.kvs.raft.auth.RaftAuthentication;
import io.kvs.raft.client.MetadataClient;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.server.RaftPeers;
import org.apache.ratis.protocol.RaftGroup;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A plain Ratis client in a JVM of its own (Raft authentication is set per JVM): reads a
 * cluster's metadata group, signing its calls with the secret given ({@code -} for none). Exits
 * 0 when the read succeeded, 1 when it did not.
 *
 * <p>{@code RaftProbe <secret|-> <K> <ip:port,ip:port,...>}
 */
public final class RaftProbe {
    private RaftProbe() {
    }

    public static void main(String[] args) {
        ClusterSecret.of("-".equals(args[0]) ? null : args[0]).ifPresent(RaftAuthentication::authenticateOutgoingCalls);
        int k = Integer.parseInt(args[1]);
        List<NodeAddress> view = Arrays.stream(args[2].split(",")).map(NodeAddress::parse).toList();
        RaftGroup metadata = new RaftPeers(RaftPeers.DEFAULT_PORT_OFFSET)
                .group(RaftPeers.metadataGroup(RaftPeers.clusterId(view, k)), view);
        int status;
        try {
            ClusterState state = new MetadataClient().read(metadata).get(15, TimeUnit.SECONDS);
            System.out.println("read the view of epoch " + state.view().epoch());
            status = 0;
        } catch (Exception e) {
            System.out.println("refused: " + e);
            status = 1;
        }
        System.exit(status);
    }
}
