package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;

import java.util.List;

/** Nodes on loopback addresses {@code 127.0.<block>.<i>:8080}: fast, but no fault between them. */
final class LoopbackNetwork implements ClusterNetwork {
    private final int block;

    LoopbackNetwork(int block) {
        this.block = block;
    }

    @Override
    public NodeAddress address(int index) {
        return new NodeAddress("127.0." + block + "." + index, 8080);
    }

    @Override
    public void attach(NodeAddress node) {
    }

    @Override
    public List<String> launcher(NodeAddress node) {
        return List.of();
    }

    @Override
    public void close() {
    }
}
