package io.kvs.http.node;

import io.kvs.http.api.HttpApi;
import io.kvs.http.gateway.KeyGateway;
import io.kvs.http.peer.HttpLeaderRelay;
import io.kvs.http.peer.HttpPeerNodes;
import io.kvs.http.peer.InternalApi;
import io.kvs.raft.concurrent.DaemonThreadFactory;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.engine.StoreSettings;
import io.kvs.raft.migration.ViewChangeCoordinator;
import io.kvs.raft.server.RaftPeers;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** One kvs node: its store engine, the view-change coordinator and the HTTP API in front of them. */
public final class KvsNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KvsNode.class);
    /** How often a node looks for a view change whose coordinator has died, to finish it. */
    private static final long STALLED_CHANGE_CHECK_SECONDS = 10;

    private final StoreEngine engine;
    private final HttpApi http;
    private final ScheduledExecutorService viewChanges;
    private final OkHttpClient peerHttp;

    private KvsNode(StoreEngine engine, HttpApi http, ScheduledExecutorService viewChanges, OkHttpClient peerHttp) {
        this.engine = engine;
        this.http = http;
        this.viewChanges = viewChanges;
        this.peerHttp = peerHttp;
    }

    public static KvsNode start(NodeConfig config) throws IOException {
        long started = System.nanoTime();
        InternalApi internalApi = new InternalApi(config.internalPortOffset(), config.clusterSecret());
        OkHttpClient peerHttp = HttpPeerNodes.newClient(internalApi);
        StoreEngine engine = new StoreEngine(new StoreSettings(config.self(), config.bindHost(), config.dataDir(),
                new RaftPeers(config.raftPortOffset()), config.k(), config.initialView(), config.clusterSecret(),
                config.diskReserveBytes(), config.storeMemoryBytes(), config.tombstoneGrace(), () -> config.holdHintReplayWhile().map(java.nio.file.Files::exists).orElse(false)),
                new HttpLeaderRelay(peerHttp, internalApi));
        ViewChangeCoordinator coordinator = new ViewChangeCoordinator(engine, new HttpPeerNodes(peerHttp, internalApi));
        ScheduledExecutorService viewChanges = Executors.newSingleThreadScheduledExecutor(
                DaemonThreadFactory.single("view-change"));
        HttpApi http;
        try {
            http = new HttpApi(engine, new KeyGateway(engine, peerHttp, internalApi), coordinator, viewChanges,
                    internalApi, peerHttp, config.bindHost()).start();
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        viewChanges.scheduleWithFixedDelay(() -> resumeStalled(engine, coordinator),
                STALLED_CHANGE_CHECK_SECONDS, STALLED_CHANGE_CHECK_SECONDS, TimeUnit.SECONDS);
        LOG.info("node {} listening on {}:{} (data in {}) after {} ms", config.self(), config.bindHost(),
                config.self().port(), config.dataDir().toAbsolutePath(), (System.nanoTime() - started) / 1_000_000);
        return new KvsNode(engine, http, viewChanges, peerHttp);
    }

    /** Only the metadata leader looks, so that one node, not all, takes a stalled change over. */
    private static void resumeStalled(StoreEngine engine, ViewChangeCoordinator coordinator) {
        try {
            if (engine.state().isPresent() && engine.isMetadataLeader()) {
                coordinator.resumeStalled();
            }
        } catch (IOException | RuntimeException e) {
            LOG.info("could not finish a stalled view change: {}", e.getMessage());
        }
    }

    public StoreEngine engine() {
        return engine;
    }

    @Override
    public void close() throws IOException {
        viewChanges.shutdownNow();
        http.close();
        engine.close();
        HttpPeerNodes.shutdown(peerHttp);
    }
}
