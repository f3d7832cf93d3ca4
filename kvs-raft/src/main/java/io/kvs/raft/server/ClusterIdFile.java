package io.kvs.raft.server;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
    }

    /** Writes the id durably: to a temporary file, fsynced, then renamed into place. */
    public void write(String clusterId) throws IOException {
        Files.createDirectories(file.getParent());
        Path partial = file.resolveSibling("cluster-id.partial");
        try (FileOutputStream out = new FileOutputStream(partial.toFile())) {
            out.write((clusterId + "\n").getBytes(StandardCharsets.UTF_8));
            out.getFD().sync();
        }
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
