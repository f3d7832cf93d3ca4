package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.peer.InternalApi;
import io.kvs.raft.auth.ClusterSecret;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Node-to-node traffic of a cluster with a secret: the internal API answers only on its own
 * port and only with a token of the secret; the Raft port refuses a Ratis client without one.
 * Each refusal is checked against the same call with the right secret, which succeeds.
 */
class AuthenticationIT {
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
    @AutoClose
    private static ProcessCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = ProcessCluster.start("authentication", 34, 3, 3);
    }

    @Test
    void theInternalApiAnswersOnlyOnItsPortAndOnlyWithTheSecret() throws IOException {
        NodeAddress node = cluster.addresses().get(0);
        InternalApi right = cluster.internalApi();
        InternalApi wrong = new InternalApi(InternalApi.DEFAULT_PORT_OFFSET, ClusterSecret.of("not the secret"));
        InternalApi none = new InternalApi(InternalApi.DEFAULT_PORT_OFFSET, Optional.empty());

        assertEquals(200, status(right, right.url(node, "/internal/status").toString()));
        assertEquals(403, status(wrong, right.url(node, "/internal/status").toString()), "a wrong secret");
        assertEquals(403, status(none, right.url(node, "/internal/status").toString()), "no secret");
        assertEquals(404, status(right, "http://" + node + "/internal/status"), "the public port has no internal API");
        assertEquals(404, status(right, right.url(node, "/kv-store/get_partition_id").toString()),
                "the internal port has no public API");
        assertEquals(200, status(none, "http://" + node + "/kv-store/get_partition_id"));
    }

    @Test
    void theRaftPortRefusesAClientWithoutTheSecret() throws Exception {
        assertEquals(1, probe("-"), "no secret");
        assertEquals(1, probe("not the secret"), "a wrong secret");
        assertEquals(0, probe(secretOf(cluster)), "the right secret");
    }

    private static int status(InternalApi api, String url) throws IOException {
        OkHttpClient client = HTTP.newBuilder().addInterceptor(api.signer()).build();
        try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
            return response.code();
        }
    }

    /** Runs {@link RaftProbe} in its own JVM with {@code secret}; its exit status. */
    private static int probe(String secret) throws IOException, InterruptedException {
        String view = cluster.addresses().stream().map(NodeAddress::toString).collect(Collectors.joining(","));
        String classPath = Path.of("target", "test-classes").toAbsolutePath() + java.io.File.pathSeparator
                + Path.of("target", "kvs.jar").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(ClassArchive.javaBinary(), "-cp", classPath,
                RaftProbe.class.getName(), secret, "3", view));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(cluster.dir().resolve("raft-probe.log").toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the probe did not finish within 60 s");
        }
        return process.exitValue();
    }

    private static String secretOf(ProcessCluster cluster) {
        return cluster.secret();
    }
}
