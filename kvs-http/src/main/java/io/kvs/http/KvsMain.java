package io.kvs.http;

import io.kvs.http.node.KvsNode;
import io.kvs.http.node.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** Starts one node from the environment: {@code IPPORT}, {@code K}, {@code VIEW}, {@code DATA_DIR}. */
public final class KvsMain {
    /**
     * The common pool's parallelism is one less than the cores; at 1 (a two-core machine or
     * container) CompletableFuture's async stages start a new thread per task instead. Ratis
     * runs a follower's appends there, and its clients close their connections to a peer that
     * stopped answering there too, each close holding a thread for seconds: with a few threads,
     * a node that clients ask about a dead partition stops answering its live partition's
     * leader. Threads are made only when tasks wait and end when idle. Set before anything
     * touches the pool.
     */
    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
    private static final int MIN_COMMON_POOL_PARALLELISM = 64;

    private KvsMain() {
    }

    public static void main(String[] args) {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(
                    Math.max(MIN_COMMON_POOL_PARALLELISM, Runtime.getRuntime().availableProcessors())));
        }
        // gRPC (inside Ratis) logs through java.util.logging: into SLF4J, one line per event in the node's log.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Logger log = LoggerFactory.getLogger(KvsMain.class);
        NodeConfig config;
        try {
            config = NodeConfig.fromEnvironment(System.getenv());
        } catch (RuntimeException e) {
            System.err.println("kvs: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            KvsNode node = KvsNode.start(config);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    node.close();
                } catch (Exception e) {
                    log.warn("shutdown: {}", e.toString());
                }
            }, "shutdown"));
        } catch (Exception e) {
            log.error("node {} failed to start: {}", config.self(), e.toString());
            System.exit(1);
        }
    }
}
