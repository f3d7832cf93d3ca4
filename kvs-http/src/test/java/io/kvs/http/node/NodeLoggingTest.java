package io.kvs.http.node;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NodeLoggingTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final LoggerContext context = new LoggerContext();
    private PrintStream stdout;

    @BeforeEach
    void configure() {
        stdout = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        context.setMDCAdapter(new LogbackMDCAdapter()); // as logback's own start-up sets it
        context.start();
        NodeLogging logging = new NodeLogging();
        logging.setContext(context);
        logging.configure(context);
    }

    @AfterEach
    void restore() {
        context.stop();
        System.setOut(stdout);
    }

    private List<String> lines() {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aLibrarysExceptionIsItsChainOfCausesOnTheEventsLine() {
        Logger ratis = context.getLogger("org.apache.ratis.server.RaftServer$Division");
        IOException full = new IOException("Log already failed at index 36",
                new IOException("No space left on device"));
        ratis.warn("group-1: appendEntries failed", full);

        List<String> lines = lines();
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN RaftServer\\$Division - "
                + "group-1: appendEntries failed \\(java\\.io\\.IOException: Log already failed at index 36 "
                + "<- java\\.io\\.IOException: No space left on device\\)"), lines.get(0));
    }

    @Test
    void aMessageOfSeveralLinesIsOneLine() {
        context.getLogger("org.apache.ratis.util.JvmPauseMonitor").warn("Detected pause\nGC pool 'Copy' had collection(s)");
        context.getLogger("io.kvs.raft.engine.StoreEngine").info("first\r\nsecond");

        List<String> lines = lines();
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).endsWith("JvmPauseMonitor - Detected pause GC pool 'Copy' had collection(s)"), lines.get(0));
        assertTrue(lines.get(1).endsWith("INFO StoreEngine - first second"), lines.get(1));
    }

    @Test
    void controlCharactersInAMessageOrItsCauseAreSpaces() {
        context.getLogger("org.apache.ratis.server.impl.RaftServerImpl").error("request Message:\u0001\u0000\u0000i\u0000",
                new IllegalStateException("tab\there"));

        List<String> lines = lines();
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).endsWith("ERROR RaftServerImpl - request Message: i  (java.lang.IllegalStateException: tab here)"),
                lines.get(0));
    }

    @Test
    void kvsKeepsTheStackTraceOfWhatItDidNotExpect() {
        context.getLogger("io.kvs.http.api.HttpApi").error("request failed", new IllegalStateException("bug"));

        List<String> lines = lines();
        assertTrue(lines.get(0).endsWith("ERROR HttpApi - request failed"), lines.get(0));
        assertEquals("java.lang.IllegalStateException: bug", lines.get(1));
        assertTrue(lines.get(2).startsWith("\tat io.kvs.http.node.NodeLoggingTest."), lines.get(2));
    }

    @Test
    void librariesLogOnlyWhatANodeNeeds() {
        context.getLogger("org.apache.ratis.server.impl.RaftServerImpl").info("verbose");
        context.getLogger("org.apache.ratis.grpc.server.GrpcLogAppender").warn("follower down");
        context.getLogger("org.apache.ratis.client.impl.OrderedAsync").error("failed request with its content");
        context.getLogger("org.apache.ratis.grpc.client.GrpcClientRpc").error("failed request with its content");
        context.getLogger("org.eclipse.jetty.server.Server").info("started");
        context.getLogger("io.kvs.raft.engine.StoreEngine").debug("detail");
        assertEquals(List.of(), lines());

        context.getLogger("org.apache.ratis.grpc.server.GrpcLogAppender").error("broken");
        context.getLogger("org.rocksdb.RocksDB").info("opened");
        assertEquals(2, lines().size(), String.join("\n", lines()));
    }

    @Test
    void aPeersRequestToAReplicaNotRunningIsExpected() {
        Logger replica = context.getLogger("org.apache.ratis.server.RaftServer$Division");
        replica.error("{}: Failed appendEntries* {}", "n1@group-1", "HEARTBEAT",
                new ServerNotReadyException("n1@group-1 is not in [STARTING, RUNNING]: current state is CLOSING"));
        context.getLogger("org.apache.ratis.grpc.server.GrpcLogAppender").error("other",
                new ServerNotReadyException("not this replica's"));
        replica.error("{}: Failed appendEntries* {}", "n1@group-1", "HEARTBEAT", new IllegalStateException("inconsistent"));

        List<String> lines = lines();
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).endsWith("ERROR GrpcLogAppender - other (org.apache.ratis.protocol.exceptions.ServerNotReadyException: not this replica's)"),
                lines.get(0));
        assertTrue(lines.get(1).endsWith("Failed appendEntries* HEARTBEAT (java.lang.IllegalStateException: inconsistent)"), lines.get(1));
    }
}
