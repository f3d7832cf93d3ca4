package io.kvs.http.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The class data sharing archive test nodes start with, made once per jar by the same training
 * run as {@code kvs-local} and the Docker image use: it halves the CPU a starting node takes, so
 * that several JVMs starting together on two cores come up within the tests' deadlines.
 */
final class ClassArchive {
    private static final long TRAINING_SECONDS = 120;

    private ClassArchive() {
    }

    /**
     * The archive for {@code jar} run with {@code jvmOptions} (made now if missing or older than
     * the jar), or empty if the training run fails: nodes then start without one.
     */
    static synchronized List<String> options(Path jar, List<String> jvmOptions) throws IOException {
        Path archive = jar.resolveSibling("kvs-test.jsa");
        if (!Files.exists(archive) || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
            Files.deleteIfExists(archive);
            try {
                train(jar, jvmOptions, archive);
            } catch (IOException e) {
                System.err.println("test nodes start without a class archive: " + e.getMessage());
                return List.of();
            }
        }
        return List.of("-XX:SharedArchiveFile=" + archive.toAbsolutePath());
    }

    /** Runs the training with {@code -XX:ArchiveClassesAtExit}; throws, with its output, unless it wrote the archive. */
    static void train(Path jar, List<String> jvmOptions, Path archive) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBinary()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive.toAbsolutePath(),
                "-cp", jar.toAbsolutePath().toString(), "io.kvs.http.ClassArchiveTraining"));
        Path log = Files.createTempFile("kvs-class-archive-training", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            boolean exited = process.waitFor(TRAINING_SECONDS, TimeUnit.SECONDS);
            if (!exited) {
                process.destroyForcibly();
            }
            if (!exited || process.exitValue() != 0 || !Files.exists(archive)) {
                throw new IOException("the training run " + (exited ? "exited with " + process.exitValue()
                        : "did not end within " + TRAINING_SECONDS + " s") + ": " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during the training run", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
