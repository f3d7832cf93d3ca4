package io.kvs.http.cluster;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.kvs.core.view.NodeAddress;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code kvs} client as a user runs it (the shaded jar, one process per command) against a 4-node K=2 cluster. */
class KvsCliIT {
    private static final Path JAR = Path.of("..", "kvs-cli", "target", "kvs-cli.jar");
    @AutoClose
    private static ProcessCluster cluster;
    private static List<NodeAddress> nodes;

    @BeforeAll
    static void startCluster() throws Exception {
        assertTrue(Files.exists(JAR), JAR + " is built by the reactor before kvs-http's tests (mvn verify)");
        cluster = ProcessCluster.start("kvs-cli", 39, 4, 2);
        nodes = cluster.addresses();
    }

    private record Run(int exit, String out, String err) {
    }

    /** Runs {@code kvs} with the given arguments, its session in {@code session}, asking the given endpoints. */
    private static Run kvs(Path session, String endpoints, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("java", "-jar", JAR.toString(), "--endpoints", endpoints,
                "--session", session.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("kvs-cli", ".out");
        Path err = Files.createTempFile("kvs-cli", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("kvs " + String.join(" ", args) + " did not end");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8).trim(),
                    Files.readString(err, StandardCharsets.UTF_8).trim());
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String all() {
        return String.join(",", nodes.stream().map(NodeAddress::toString).toList());
    }

    @Test
    void putGetAndExitStatusesFollowTheAnswers() throws Exception {
        Path session = cluster.dir().resolve("cli-keys.session");
        Run created = kvs(session, all(), "put", "cli_key", "one");
        assertEquals(0, created.exit(), created.toString());
        assertTrue(created.out().matches("created in partition \\d"), created.out());
        Run updated = kvs(session, all(), "put", "cli_key", "two");
        assertTrue(updated.out().startsWith("updated"), updated.toString());
        Run read = kvs(session, nodes.get(3).toString(), "get", "cli_key");
        assertEquals(new Run(0, "two", ""), read);
        Run missing = kvs(session, all(), "get", "never_written");
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("Key does not exist"), missing.err());
        Run badKey = kvs(session, all(), "put", "not valid", "v");
        assertEquals(2, badKey.exit(), badKey.toString());
        Run usage = kvs(session, all(), "view", "swap", nodes.get(0).toString());
        assertEquals(2, usage.exit(), usage.toString());

        JsonObject saved = new Gson().fromJson(Files.readString(session), JsonObject.class);
        assertEquals(1, saved.get("v").getAsInt());
        assertFalse(saved.get("causal_payload").getAsString().isEmpty(), "the session keeps the last payload");
        Run json = kvs(session, all(), "-o", "json", "get", "cli_key");
        assertEquals("two", new Gson().fromJson(json.out(), JsonObject.class).get("value").getAsString(), json.out());

        Run deleted = kvs(session, nodes.get(2).toString(), "delete", "cli_key");
        assertEquals(0, deleted.exit(), deleted.toString());
        assertTrue(deleted.out().matches("deleted from partition \\d"), deleted.out());
        Run gone = kvs(session, nodes.get(0).toString(), "get", "cli_key");
        assertEquals(1, gone.exit(), "the session's payload follows the delete: " + gone);
        Run again = kvs(session, all(), "delete", "cli_key");
        assertEquals(1, again.exit(), again.toString());
        assertTrue(again.err().contains("Key does not exist"), again.err());
    }

    @Test
    void anEndpointThatIsDownIsPassedOver() throws Exception {
        Path session = cluster.dir().resolve("cli-down.session");
        String nobody = new NodeAddress(nodes.get(0).host().replaceAll("\\.\\d+$", ".200"), 8080).toString();
        Run put = kvs(session, nobody + "," + nodes.get(1), "put", "passed_over", "v");
        assertEquals(0, put.exit(), put.toString());
        Run none = kvs(session, nobody, "get", "passed_over");
        assertEquals(2, none.exit(), none.toString());
        assertTrue(none.err().contains("no endpoint answered"), none.err());
    }

    @Test
    void statusShowsTheClusterAndViewChangesShowProgress() throws Exception {
        Path session = cluster.dir().resolve("cli-view.session");
        for (int i = 0; i < 200; i++) {
            assertTrue(cluster.client().put(nodes.get(i % 4), "moved_" + i, "v" + i, "").isSuccess());
        }
        Run status = kvs(session, all(), "status");
        assertEquals(0, status.exit(), status.toString());
        for (NodeAddress node : nodes) {
            assertTrue(status.out().contains(node.toString()), status.out());
        }
        assertTrue(status.out().contains("K=2, 2 partitions"), status.out());
        Map<Integer, List<NodeAddress>> partitions = cluster.partitions(nodes.get(0));
        assertTrue(status.out().contains(String.join(",", partitions.get(0).stream().map(NodeAddress::toString).toList())),
                status.out());

        NodeAddress spare = cluster.startSpareNode().address();
        Run add = kvs(session, all(), "view", "add", spare.toString());
        assertEquals(0, add.exit(), add.toString());
        assertTrue(add.out().startsWith("added " + spare + " (partition -1), 2 partitions"), add.out());
        Run remove = kvs(session, all(), "view", "remove", nodes.get(3).toString());
        assertEquals(0, remove.exit(), remove.toString());
        assertTrue(remove.out().equals("removed " + nodes.get(3) + ", 2 partitions"), remove.out());
        assertTrue((add.err() + remove.err()).contains("step "), "the changes' progress while they ran: " + add + remove);
        Run json = kvs(session, nodes.get(0).toString(), "-o", "json", "status");
        JsonObject after = new Gson().fromJson(json.out(), JsonObject.class);
        assertEquals(4, after.getAsJsonArray("nodes").size(), json.out());
        for (int i = 0; i < 200; i += 37) {
            assertEquals(new Run(0, "v" + i, ""), kvs(session, nodes.get(0).toString(), "get", "moved_" + i));
        }
    }
}
