package io.kvs.http.cluster;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Prints the ends of the node logs of every cluster a test class started when one of its tests
 * fails: a flaky failure in a CI run is then explained by the run's output, not by logs on a
 * machine that is gone. Registered for every test by the service file beside the tests.
 */
public final class FailedTestLogs implements BeforeAllCallback, TestExecutionExceptionHandler {
    /** Events printed per node: enough for the seconds before a failure. */
    private static final int EVENTS_PER_NODE = 40;
    private static final List<Path> LOG_DIRS = new CopyOnWriteArrayList<>();

    /** A cluster's logs go to {@code logDir}; called as the cluster starts. */
    static void started(Path logDir) {
        LOG_DIRS.add(logDir);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LOG_DIRS.clear();
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        if (failure instanceof TestAbortedException) {
            throw failure; // an assumption that did not hold: skipped, not failed
        }
        for (Path dir : LOG_DIRS) {
            try (Stream<Path> files = Files.list(dir)) {
                NodeLogs.printTails(files.filter(f -> f.toString().endsWith(".log")).sorted().toList(), EVENTS_PER_NODE);
            } catch (IOException e) {
                System.out.println("---- no logs in " + dir + ": " + e);
            }
        }
        throw failure;
    }
}
