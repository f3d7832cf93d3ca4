package io.kvs.http.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

/** What a node's log says: tests wait for, and check, the events a node reports. */
public final class NodeLogs {
    private NodeLogs() {
    }

    /** Whether any line of {@code node}'s log contains {@code text}. */
    public static boolean mention(NodeProcess node, String text) {
        try (Stream<String> lines = Files.lines(node.log(), StandardCharsets.ISO_8859_1)) {
            return lines.anyMatch(line -> line.contains(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lines of {@code node}'s log that match {@code pattern}, in order. */
    public static List<String> matching(NodeProcess node, java.util.regex.Pattern pattern) {
        try (Stream<String> lines = Files.lines(node.log(), StandardCharsets.ISO_8859_1)) {
            return lines.filter(line -> pattern.matcher(line).find()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Prints the last {@code count} events of each log, without stack frames: why a cluster
     * did what it did, in the test's own output (where a CI run shows it).
     */
    public static void printTails(Collection<Path> logs, int count) {
        for (Path log : logs) {
            try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
                List<String> events = lines.filter(l -> !l.startsWith("\t") && !l.startsWith("Caused by")).toList();
                System.out.println("---- last lines of " + log);
                events.subList(Math.max(0, events.size() - count), events.size()).forEach(System.out::println);
            } catch (IOException | UncheckedIOException e) {
                System.out.println("---- no log at " + log + ": " + e);
            }
        }
    }
}
