package io.kvs.http.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What a node's log says: tests wait for, and check, the events a node reports. */
public final class NodeLogs {
    private NodeLogs() {
    }

    /** Whether any line of {@code node}'s log contains {@code text}. */
    public static boolean mention(NodeProcess node, String text) {
        return !linesWhere(node.log(), line -> line.contains(text)).isEmpty();
    }

    /** The lines of {@code node}'s log that match {@code pattern}, in order. */
    public static List<String> matching(NodeProcess node, Pattern pattern) {
        return linesWhere(node.log(), line -> pattern.matcher(line).find());
    }

    /**
     * Prints the last {@code count} events of each log, without stack frames: why a cluster
     * did what it did, in the test's own output (where a CI run shows it).
     */
    public static void printTails(Collection<Path> logs, int count) {
        for (Path log : logs) {
            try {
                List<String> events = linesWhere(log, l -> !l.startsWith("\t") && !l.startsWith("Caused by"));
                System.out.println("---- last lines of " + log);
                events.subList(Math.max(0, events.size() - count), events.size()).forEach(System.out::println);
            } catch (UncheckedIOException e) {
                System.out.println("---- no log at " + log + ": " + e);
            }
        }
    }

    /** The lines of {@code log} that pass {@code test}, in order (ISO-8859-1: any byte reads). */
    private static List<String> linesWhere(Path log, Predicate<String> test) {
        try (Stream<String> lines = Files.lines(log, StandardCharsets.ISO_8859_1)) {
            return lines.filter(test).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
