package io.kvs.http;

import io.kvs.http.node.KvsNode;
import io.kvs.http.node.NodeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts one node from the environment: {@code IPPORT}, {@code K}, {@code VIEW}, {@code DATA_DIR}. */
public final class KvsMain {
    private static final Logger LOG = LoggerFactory.getLogger(KvsMain.class);

    private KvsMain() {
    }

    public static void main(String[] args) {
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
                    LOG.warn("shutdown: {}", e.toString());
                }
            }, "shutdown"));
        } catch (Exception e) {
            LOG.error("node {} failed to start: {}", config.self(), e.toString());
            System.exit(1);
        }
    }
}
