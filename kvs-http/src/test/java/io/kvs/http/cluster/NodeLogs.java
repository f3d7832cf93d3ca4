package io.kvs.http.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.stream.Stream;

/** What a node's log says: tests wait for, and check, the events a node reports. */
public final class NodeLogs {
    private NodeLogs() {
    }

    /** Whether any line of {@code node}'s log contains {@code text}. */
    public static boolean mention(NodeProcess node, String text) {
        try (Stream<String> lines = Files.lines(node.log(), java.nio.charset.StandardCharsets.ISO_8859_1)) {
            return lines.anyMatch(line -> line.contains(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
