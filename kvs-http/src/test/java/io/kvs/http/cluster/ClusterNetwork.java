package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;

import java.io.IOException;
import java.util.List;

/** Where a test cluster's nodes live and how they are reached. */
public interface ClusterNetwork extends AutoCloseable {

    /** The address of node {@code index} (1-based). */
    NodeAddress address(int index);

    /** Prepares the node's place in the network before it first starts. */
    void attach(NodeAddress node) throws IOException;

    /** What runs the node's JVM (empty: run it directly). */
    List<String> launcher(NodeAddress node);

    @Override
    void close() throws IOException, InterruptedException;
}
