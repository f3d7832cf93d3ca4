package io.kvs.raft.server;

import io.kvs.raft.storage.DurableFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The id of the cluster a node's data directory belongs to. Its presence means the node has
 * joined that cluster's groups: a restarted node recovers them from disk instead of joining
 * afresh from {@code VIEW}, which may describe a cluster that has changed since.
 */
public final class ClusterIdFile {
    private final Path file;

    public ClusterIdFile(Path dataDir) {
        this.file = dataDir.resolve("cluster-id");
    }

    public Optional<String> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim());
    }

    /** Forgets the cluster: the node starts as new next time. */
    public void delete() throws IOException {
        Files.deleteIfExists(file);
        DurableFiles.forceDirectory(file.getParent());
    }

    /** Writes the id durably and atomically. */
    public void write(String clusterId) throws IOException {
        Files.createDirectories(file.getParent());
        DurableFiles.replace(file, out -> out.write((clusterId + "\n").getBytes(StandardCharsets.UTF_8)));
    }
}
