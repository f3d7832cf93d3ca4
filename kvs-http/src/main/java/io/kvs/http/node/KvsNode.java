package io.kvs.http.node;

import io.kvs.http.api.HttpApi;
import io.kvs.http.gateway.KeyGateway;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.server.RaftPeers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/** One kvs node: its store engine and the HTTP API in front of it. */
public final class KvsNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KvsNode.class);

    private final StoreEngine engine;
    private final HttpApi http;

    private KvsNode(StoreEngine engine, HttpApi http) {
        this.engine = engine;
        this.http = http;
    }

    public static KvsNode start(NodeConfig config) throws IOException {
        long started = System.nanoTime();
        StoreEngine engine = new StoreEngine(config.self(), config.bindHost(), config.dataDir(),
                new RaftPeers(config.raftPortOffset()), config.k(), config.initialView());
        HttpApi http;
        try {
            http = new HttpApi(engine, new KeyGateway(engine)).start(config.bindHost(), config.self().port());
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        LOG.info("node {} listening on {}:{} (data in {}) after {} ms", config.self(), config.bindHost(),
                config.self().port(), config.dataDir().toAbsolutePath(), (System.nanoTime() - started) / 1_000_000);
        return new KvsNode(engine, http);
    }

    public StoreEngine engine() {
        return engine;
    }

    @Override
    public void close() throws IOException {
        http.close();
        engine.close();
    }
}
