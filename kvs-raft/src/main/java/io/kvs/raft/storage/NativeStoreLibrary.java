package io.kvs.raft.storage;

import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;

/**
 * Loads RocksDB's native library from a directory the node owns (its data directory) instead of
 * the temporary directory.
 *
 * <p>RocksJava's own loader copies the library (17 MB) to a new temporary file at every start
 * and deletes it only at a normal exit: a node that is killed, or crashes, leaves its copy behind
 * for good, and a store that is meant to be killed fills its machine's temporary directory. Here
 * the library is copied once per library version, under a name derived from its checksum in the
 * jar, and reused by every later start; copies of other versions are removed.
 */
public final class NativeStoreLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(NativeStoreLibrary.class);
    /** The library as RocksJava's jar holds it for this platform. */
    private static final String RESOURCE = Environment.getJniLibraryFileName("rocksdb");
    /** The file name {@link RocksDB#loadLibrary(List)} looks for in each directory it is given. */
    private static final String FILE_NAME = Environment.getJniLibraryFileName("rocksdbjni");

    private static boolean loaded;

    private NativeStoreLibrary() {
    }

    /**
     * Loads the library from {@code dir}, copying it there first if it is not there yet. Where
     * that fails (no space, a directory that may not hold executables) it falls back to
     * RocksJava's loader, with a warning. Once loaded, later calls do nothing.
     */
    public static synchronized void load(Path dir) {
        if (loaded) {
            return;
        }
        try {
            RocksDB.loadLibrary(List.of(extract(dir).toAbsolutePath().getParent().toString()));
        } catch (IOException | UnsatisfiedLinkError e) {
            LOG.warn("cannot load RocksDB's native library from {} ({}); loading it through the temporary directory",
                    dir, e.toString());
            RocksDB.loadLibrary();
        }
        loaded = true;
    }

    /**
     * Makes sure {@code dir} holds this version of the library, and no other, and returns it.
     * A copy is written whole before it gets its name, so a crash during it leaves no copy that
     * a later start would take for complete.
     */
    static Path extract(Path dir) throws IOException {
        URL resource = NativeStoreLibrary.class.getClassLoader().getResource(RESOURCE);
        if (resource == null) {
            throw new IOException("RocksJava holds no native library " + RESOURCE + " for this platform");
        }
        URLConnection connection = resource.openConnection();
        if (!(connection instanceof JarURLConnection jar)) {
            throw new IOException("RocksDB's native library is not in a jar: " + resource);
        }
        JarEntry entry = jar.getJarEntry();
        Path versionDir = dir.resolve(String.format("%08x", entry.getCrc()));
        Path library = versionDir.resolve(FILE_NAME);
        if (Files.isRegularFile(library) && Files.size(library) == entry.getSize()) {
            return library;
        }
        DurableFiles.deleteTree(dir);
        Files.createDirectories(versionDir);
        try (InputStream in = connection.getInputStream()) {
            DurableFiles.replace(library, in::transferTo);
        }
        LOG.info("copied RocksDB's native library to {}", library);
        return library;
    }
}
