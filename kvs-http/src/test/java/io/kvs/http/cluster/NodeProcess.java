package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One kvs node running as its own JVM from kvs.jar, so that a test can kill it with SIGKILL. */
public final class NodeProcess {
    private static final Path JAR = Path.of("target", "kvs.jar");
    /** The heap a test node gets unless its test says otherwise. */
    public static final String DEFAULT_HEAP = "256m";

    private final NodeAddress address;
    private final Path dataDir;
    private final Path log;
    private final Map<String, String> env;
    private final List<String> launcher;
    private final List<String> jvmOptions;
    private Process process;

    /**
     * @param launcher what runs the JVM, e.g. {@code ip netns exec <ns>}; empty to run it directly
     * @param heap     the JVM's maximum heap, as {@code -Xmx} takes it
     */
    public NodeProcess(NodeAddress address, Path dataDir, Path log, Map<String, String> env, List<String> launcher,
                       String heap) {
        this.address = address;
        this.dataDir = dataDir;
        this.log = log;
        this.env = Map.copyOf(env);
        this.launcher = List.copyOf(launcher);
        this.jvmOptions = List.of("-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:+ExitOnOutOfMemoryError");
    }

    /** The process id of the running node. */
    public synchronized long pid() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(address + " is not running");
        }
        return process.pid();
    }

    public NodeAddress address() {
        return address;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The node's own temporary directory, beside its data directory: what it leaves there outlives it. */
    public Path tempDir() {
        return dataDir.resolveSibling(dataDir.getFileName() + ".tmp");
    }

    public Path log() {
        return log;
    }

    /** Starts the node (again), with its data directory as it was left. */
    public synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(address + " is already running");
        }
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the tests with 'mvn verify'");
        }
        List<String> command = new ArrayList<>(launcher);
        command.add(ClassArchive.javaBinary());
        command.addAll(jvmOptions);
        command.addAll(ClassArchive.options(JAR, jvmOptions));
        Files.createDirectories(tempDir());
        command.add("-Djava.io.tmpdir=" + tempDir().toAbsolutePath());
        command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().keySet().removeIf(k -> k.equals("K") || k.equals("VIEW") || k.equals("IPPORT"));
        builder.environment().putAll(env);
        builder.environment().put("IPPORT", address.toString());
        builder.environment().put("DATA_DIR", dataDir.toString());
        process = builder.start();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already durable. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * SIGTERM, as {@code docker stop} sends: the node shuts down by itself. Returns whether it
     * exited within {@code deadline}; one that did not is killed.
     */
    public synchronized boolean stop(Duration deadline) throws InterruptedException {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(address + " is not running");
        }
        process.destroy();
        boolean exited = process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            kill();
        }
        return exited;
    }

    /** SIGSTOP: the node stops answering anyone, as a hung machine does. */
    public synchronized void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public synchronized void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException(address + " is not running");
        }
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
