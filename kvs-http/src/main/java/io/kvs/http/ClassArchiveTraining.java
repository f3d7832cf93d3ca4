package io.kvs.http;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.node.KvsNode;
import io.kvs.http.node.NodeConfig;
import io.kvs.http.peer.HttpPeerNodes;
import io.kvs.http.peer.InternalApi;
import io.kvs.raft.auth.ClusterSecret;
import io.kvs.raft.storage.DiskSpace;
import io.kvs.raft.storage.StoreMemory;
import io.kvs.raft.server.RaftPeers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.apache.ratis.util.FileUtils;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The training run for a class data sharing archive: starts a one-node cluster in a temporary
 * directory, writes and reads a key over HTTP, and exits. Run with
 * {@code java -XX:ArchiveClassesAtExit=kvs.jsa -cp kvs.jar io.kvs.http.ClassArchiveTraining},
 * the JVM records every class a node loads to start and serve; a node started with
 * {@code -XX:SharedArchiveFile=kvs.jsa} maps them instead of loading and verifying each from the
 * jar, which is most of its start-up CPU (3 nodes K=3 on two cores: a write is accepted after
 * about 4.3 s instead of 7.4 s).
 */
public final class ClassArchiveTraining {
    private static final String HOST = "127.0.0.1";
    private static final int PORT_ATTEMPTS = 50;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");

    private ClassArchiveTraining() {
    }

    public static void main(String[] args) {
        // Exit whatever happened: the archive is written at exit, and a node's non-daemon threads
        // (Ratis' group management among them) would otherwise keep a failed run alive for ever,
        // and ./kvs-local, waiting for it, with it.
        System.exit(trainedWithoutFailure() ? 0 : 1);
    }

    private static boolean trainedWithoutFailure() {
        try {
            Path dir = Files.createTempDirectory("kvs-class-archive-training");
            try {
                train(dir);
                return true;
            } finally {
                FileUtils.deleteFully(dir);
            }
        } catch (Exception | LinkageError e) {
            System.err.println("class archive training failed: " + e);
            return false;
        }
    }

    /** Starts a one-node cluster with its data in {@code dir}, serves a few requests, stops it. */
    static void train(Path dir) throws IOException, InterruptedException {
        NodeAddress self = new NodeAddress(HOST, freePorts());
        // With a secret, as kvs-local and the compose file run nodes: signing is on their start-up path.
        NodeConfig config = new NodeConfig(self, Optional.of(1), Optional.of(List.of(self)), dir, HOST,
                RaftPeers.DEFAULT_PORT_OFFSET, InternalApi.DEFAULT_PORT_OFFSET, ClusterSecret.of("training"),
                DiskSpace.DEFAULT_RESERVE_BYTES, StoreMemory.DEFAULT_BYTES, NodeConfig.DEFAULT_TOMBSTONE_GRACE,
                Optional.empty());
        try (KvsNode node = KvsNode.start(config)) {
            exercise("http://" + self + "/kv-store/");
        }
    }

    /** The requests a node serves most: a write until the new cluster accepts it, reads, an error. */
    private static void exercise(String base) throws IOException, InterruptedException {
        OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!succeeds(http, new Request.Builder().url(base + "training")
                .put(RequestBody.create("val=1", FORM)).build())) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the training node accepted no write within " + DEADLINE.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
        for (String path : new String[]{"training", "missing", "get_partition_id", "get_all_partition_ids"}) {
            succeeds(http, new Request.Builder().url(base + path).build());
        }
        HttpPeerNodes.shutdown(http);
    }

    private static boolean succeeds(OkHttpClient http, Request request) {
        try (Response response = http.newCall(request).execute()) {
            return response.isSuccessful();
        } catch (IOException e) {
            return false;
        }
    }

    /** A port free on {@link #HOST} whose Raft and internal API ports (the default offsets above it) are free too. */
    private static int freePorts() throws IOException {
        InetAddress host = InetAddress.getByName(HOST);
        int highest = Math.max(RaftPeers.DEFAULT_PORT_OFFSET, InternalApi.DEFAULT_PORT_OFFSET);
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(10_000, 65_535 - highest);
            try (ServerSocket http = new ServerSocket(port, 1, host);
                 ServerSocket raft = new ServerSocket(port + RaftPeers.DEFAULT_PORT_OFFSET, 1, host);
                 ServerSocket internal = new ServerSocket(port + InternalApi.DEFAULT_PORT_OFFSET, 1, host)) {
                return port;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IOException("no free ports on " + HOST + " after " + PORT_ATTEMPTS + " attempts");
    }
}
