package io.kvs.http;

import io.kvs.http.node.KvsNode;
import io.kvs.http.node.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts one node from the environment: {@code IPPORT}, {@code K}, {@code VIEW}, {@code DATA_DIR}. */
public final class KvsMain {
    /**
     * The common pool's parallelism is one less than the cores; at 1 (a two-core machine or
     * container) CompletableFuture's async stages, which Ratis and the gateway use on every
     * request, start a new thread per task instead. Set before anything touches the pool.
     */
    private static final String COMMON_POOL_PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";
    private static final int MIN_COMMON_POOL_PARALLELISM = 4;

    private KvsMain() {
    }

    public static void main(String[] args) {
        if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(COMMON_POOL_PARALLELISM, Integer.toString(
                    Math.max(MIN_COMMON_POOL_PARALLELISM, Runtime.getRuntime().availableProcessors())));
        }
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
