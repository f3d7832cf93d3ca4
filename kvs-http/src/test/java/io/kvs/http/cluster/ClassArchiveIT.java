package io.kvs.http.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The class data sharing recipe of {@code kvs-local} and the Docker image: the training run
 * writes an archive, and a node started with it maps its classes from it.
 */
class ClassArchiveIT {
    private static final Path JAR = Path.of("target", "kvs.jar");
    private static final List<String> OPTIONS = List.of("-XX:+UseSerialGC", "-Xmx256m");

    @TempDir
    Path dir;

    @Test
    void aNodeStartedWithTheTrainedArchiveLoadsItsClassesFromIt() throws Exception {
        Path archive = dir.resolve("kvs.jsa");
        ClassArchive.train(JAR, OPTIONS, archive);

        // -Xshare:on makes the JVM refuse to start if it cannot use the archive.
        Path classLog = dir.resolve("classes.log");
        Process run = new ProcessBuilder(command(archive, classLog)).redirectErrorStream(true)
                .redirectOutput(dir.resolve("run.log").toFile()).start();
        assertTrue(run.waitFor(120, TimeUnit.SECONDS), "the second run did not end within 120 s");
        String output = read(dir.resolve("run.log"));
        assertEquals(0, run.exitValue(), () -> "the run with the archive failed: " + output);

        String classes = read(classLog);
        for (String name : List.of("io.javalin.Javalin", "org.apache.ratis.server.impl.RaftServerImpl",
                "io.kvs.raft.partition.PartitionStateMachine")) {
            assertTrue(classes.lines().anyMatch(line -> line.contains(name + " source: shared objects file")),
                    name + " was not mapped from the archive");
        }
    }

    private static List<String> command(Path archive, Path classLog) {
        List<String> command = new ArrayList<>(List.of(ClassArchive.javaBinary()));
        command.addAll(OPTIONS);
        command.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive.toAbsolutePath(),
                "-Xlog:class+load=info:file=" + classLog,
                "-cp", JAR.toAbsolutePath().toString(), "io.kvs.http.ClassArchiveTraining"));
        return command;
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
