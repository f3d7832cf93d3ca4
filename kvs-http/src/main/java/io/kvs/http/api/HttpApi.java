package io.kvs.http.api;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.http.gateway.KeyGateway;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.migration.ViewChangeCoordinator;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.HttpResponseException;
import io.kvs.http.peer.HttpLeaderRelay;
import io.kvs.http.peer.InternalApi;
import okhttp3.OkHttpClient;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/** The node's HTTP API (CONTRACT.md §3) on Javalin. */
public final class HttpApi implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    /** Names under /kv-store/ that are endpoints, not keys. */
    private static final java.util.Set<String> RESERVED =
            java.util.Set.of("update_view", "get_partition_id", "get_all_partition_ids", "get_partition_members");

    static final long MAX_BODY_BYTES = 4L * 1024 * 1024;
    private static final long IDLE_TIMEOUT_MILLIS = 30_000;
    /** How long a stop waits for requests in flight to be answered. */
    private static final long STOP_TIMEOUT_MILLIS = 1_000;
    /**
     * How long a connection may stay idle once a stop began: peers and clients keep connections
     * open between requests, and the stop waits for every connection to close.
     */
    private static final long SHUTDOWN_IDLE_MILLIS = 100;
    /** Open connections beyond this wait to be accepted. */
    private static final int MAX_CONNECTIONS = 10_000;
    /** Requests being served at once; beyond this a request is answered 503 at once. */
    private static final int MAX_IN_FLIGHT = 4_096;
    private static final int RESPONSE_COPY_BYTES = 4 * 1024;

    private final Javalin app;
    private final InFlightLimit inFlight = new InFlightLimit(MAX_IN_FLIGHT);
    private final Listeners listeners;
    private final NodeMetrics metrics;

    /**
     * The API of this node: the public one on its HTTP port, the internal one on the port
     * {@code internalApi} gives it, both on {@code bindHost}; {@code peerHttp} is the node's
     * client for its peers' internal API.
     */
    public HttpApi(StoreEngine engine, KeyGateway gateway, ViewChangeCoordinator coordinator,
                   ExecutorService viewChanges, InternalApi internalApi, OkHttpClient peerHttp, String bindHost) {
        KeyRoutes keys = new KeyRoutes(gateway);
        PartitionRoutes partitions = new PartitionRoutes(engine);
        ViewRoutes views = new ViewRoutes(engine, coordinator, viewChanges, internalApi);
        InternalRoutes internal = new InternalRoutes(engine);
        StatusRoutes status = new StatusRoutes(engine, coordinator, peerHttp, internalApi);
        this.metrics = new NodeMetrics(engine, coordinator);
        int internalPort = internalApi.port(engine.self());
        this.listeners = new Listeners(internalPort, internalApi);
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.useVirtualThreads = false;
            config.http.asyncTimeout = 0L;
            // A 1 MiB value may triple when form-encoded; larger bodies are refused as too large.
            config.http.maxRequestSize = MAX_BODY_BYTES;
            // Javalin copies an answer set as the context's result (the internal API's binary
            // answers, metrics, the status page; JSON answers are written by Replies directly) to
            // Jetty through a buffer of this size, allocated per answer: those answers are mostly
            // small (a relayed batch's replies), so a small buffer serves nearly all of them and
            // a large one (an export page) takes more, smaller copies.
            config.http.responseBufferSize = RESPONSE_COPY_BYTES;
            config.jetty.multipartConfig.maxTotalRequestSize(MAX_BODY_BYTES, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxFileSize(MAX_BODY_BYTES, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize((int) MAX_BODY_BYTES, SizeUnit.BYTES);
            // A client that stops sending is cut off; one that trickles its body, by Bodies.
            config.jetty.modifyHttpConfiguration(http -> http.setIdleTimeout(IDLE_TIMEOUT_MILLIS));
            config.jetty.modifyServer(server -> {
                server.setStopTimeout(STOP_TIMEOUT_MILLIS);
                server.addBean(new ConnectionLimit(MAX_CONNECTIONS, server));
            });
            // Javalin opens no listener of its own once one is added: both are added here.
            config.jetty.addConnector((server, http) -> listener(server, http, bindHost, engine.self().port()));
            config.jetty.addConnector((server, http) -> listener(server, http, bindHost, internalPort));
        });
        app.before(listeners::admit);
        app.before(ctx -> inFlight.enter(ctx));
        app.before(metrics::start);
        app.after(ctx -> inFlight.leave(ctx));
        app.after(metrics::record);
        // Key requests are nearly all of a node's requests, and Javalin looks up a request's
        // endpoint several times, trying those of its method in the order they were added, each
        // by a regular expression: the key routes come first, after only the endpoints whose
        // names a key's route would take.
        app.get("/kv-store/get_partition_id", partitions::partitionId);
        app.get("/kv-store/get_all_partition_ids", partitions::allPartitionIds);
        app.get("/kv-store/get_partition_members", partitions::partitionMembers);
        app.put("/kv-store/update_view", views::updateView);
        app.get("/kv-store/{key}", ctx -> {
            rejectReserved(ctx.pathParam("key"));
            keys.get(ctx);
        });
        app.put("/kv-store/{key}", ctx -> {
            rejectReserved(ctx.pathParam("key"));
            keys.put(ctx);
        });
        app.delete("/kv-store/{key}", ctx -> {
            rejectReserved(ctx.pathParam("key"));
            keys.delete(ctx);
        });
        // An empty key names no endpoint: it is a key that is not valid.
        for (String empty : new String[]{"/kv-store", "/kv-store/"}) {
            app.get(empty, ctx -> rejectReserved(""));
            app.put(empty, ctx -> rejectReserved(""));
            app.delete(empty, ctx -> rejectReserved(""));
        }
        app.get("/health", ctx -> Replies.success(ctx, 200, Map.of("status", "serving")));
        app.get("/metrics", metrics::scrape);
        app.get("/view-change", views::viewChange);
        app.get("/status", status::cluster);
        app.get("/", status::page);
        app.get("/ready", ctx -> {
            Optional<String> why = engine.notReadyBecause();
            if (why.isPresent()) {
                throw new KvsException(ErrorCode.UNAVAILABLE, "not ready: " + why.get());
            }
            Replies.success(ctx, 200, Map.of("status", "ready"));
        });
        // Among the internal routes too, the busiest first: writes relayed to a leader, requests
        // to a replica alone.
        app.post(HttpLeaderRelay.PATH + "{group}", internal::relayWrites);
        app.post("/internal/degraded-write", internal::degradedWrite);
        app.post("/internal/degraded-read", internal::degradedRead);
        app.post("/internal/join", internal::join);
        app.get("/internal/status", status::node);
        app.post("/internal/leave", internal::leave);
        app.post("/internal/export-replica", internal::exportReplica);
        app.post("/internal/seal-hints", internal::sealHints);
        app.post("/internal/fence", internal::fence);
        app.exception(KvsException.class, (e, ctx) -> Replies.error(ctx, e));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.warn("unhandled {} {}: {}", ctx.method(), ctx.path(), e.toString());
            Replies.error(ctx, new KvsException(ErrorCode.INTERNAL, "internal error: " + e.getClass().getSimpleName()));
        });
        app.exception(BadMessageException.class, (e, ctx) -> Replies.error(ctx, e.getCode() == 413
                ? new KvsException(ErrorCode.VALUE_TOO_LARGE)
                : new KvsException(e.getCode() == 408 ? ErrorCode.REQUEST_TIMEOUT : ErrorCode.BAD_REQUEST,
                "bad request: " + e.getReason())));
        app.exception(HttpResponseException.class, (e, ctx) -> Replies.error(ctx, switch (e.getStatus()) {
            case 404 -> new KvsException(ErrorCode.NOT_FOUND, "no such endpoint: " + ctx.method() + " " + ctx.path());
            case 413 -> new KvsException(ErrorCode.VALUE_TOO_LARGE);
            default -> new KvsException(ErrorCode.BAD_REQUEST, e.getMessage());
        }));
    }

    private static void rejectReserved(String key) {
        if (key.isEmpty()) {
            throw new KvsException(ErrorCode.KEY_INVALID);
        }
        if (RESERVED.contains(key)) {
            throw new KvsException(ErrorCode.KEY_INVALID, "Key not valid: '" + key + "' names an endpoint");
        }
    }

    private static ServerConnector listener(Server server, HttpConfiguration http, String host, int port) {
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        connector.setShutdownIdleTimeout(SHUTDOWN_IDLE_MILLIS);
        return connector;
    }

    public HttpApi start() {
        app.start();
        return this;
    }

    @Override
    public void close() {
        app.stop();
    }
}
