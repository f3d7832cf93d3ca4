package io.kvs.raft.storage;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Files replaced as a whole so that a crash at any moment leaves either the old content or the
 * new one (and trees of files deleted): written beside the target, forced to disk, renamed over it, and the directory forced,
 * so that the rename itself survives a crash.
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /** Writes a file's content. */
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces {@code target} with what {@code content} writes, durably and atomically. */
    public static void replace(Path target, Content content) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try (FileOutputStream file = new FileOutputStream(partial.toFile());
             OutputStream out = new BufferedOutputStream(file, 1 << 16)) {
            content.writeTo(out);
            out.flush();
            file.getFD().sync();
        } catch (IOException | RuntimeException e) {
            // On a full disk, what was written of it would be room taken for nothing.
            try {
                Files.deleteIfExists(partial);
            } catch (IOException notDeleted) {
                e.addSuppressed(notDeleted);
            }
            throw e;
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(target.toAbsolutePath().getParent());
    }

    /** Forces a directory's entries (a file created, renamed or deleted in it) to disk. */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Deletes {@code path} and everything under it, if it exists. */
    public static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
