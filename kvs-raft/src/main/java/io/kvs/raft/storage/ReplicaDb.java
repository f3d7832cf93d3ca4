package io.kvs.raft.storage;

import org.rocksdb.Checkpoint;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

/**
 * One replica's RocksDB store in its own directory, sharing the node's {@link StoreMemory}.
 *
 * <p>Reads and writes may come from any thread; replacing the store with a checkpoint (a
 * snapshot installed from the leader) and closing it wait for them, so that no call ever reaches
 * a closed native handle. Writes go to RocksDB's write-ahead log without an fsync: the Raft log,
 * which is fsynced, holds every entry a crash of the machine could cost, and a crash of the
 * process alone costs nothing.
 */
public final class ReplicaDb implements AutoCloseable {
    private static final String CURRENT = "CURRENT";

    private final Path dir;
    private final StoreMemory memory;
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private final WriteOptions writeOptions = new WriteOptions();
    private Options options;
    private RocksDB db;

    private ReplicaDb(Path dir, StoreMemory memory) {
        this.dir = dir;
        this.memory = memory;
    }

    /** Whether {@code dir} holds a store (a complete one: RocksDB writes CURRENT last). */
    public static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(CURRENT));
    }

    /** Opens the store in {@code dir}, creating an empty one if there is none. */
    public static ReplicaDb open(Path dir, StoreMemory memory) throws IOException {
        ReplicaDb store = new ReplicaDb(dir, memory);
        Files.createDirectories(dir);
        store.openHandle();
        return store;
    }

    /** A key-value pair seen by {@link #scan}; return false to stop. */
    public interface Visitor {
        boolean visit(byte[] key, byte[] value);
    }

    public byte[] get(byte[] key) throws IOException {
        return whileOpen("read", db -> db.get(key));
    }

    /** Applies {@code batch} atomically. */
    public void write(WriteBatch batch) throws IOException {
        whileOpen("write", db -> {
            db.write(writeOptions, batch);
            return null;
        });
    }

    /** Visits the keys from {@code from} (inclusive) to {@code to} (exclusive) in order, with their values. */
    public void scan(byte[] from, byte[] to, Visitor visitor) throws IOException {
        whileOpen("scan", db -> {
            try (Slice upper = new Slice(to);
                 ReadOptions read = new ReadOptions().setIterateUpperBound(upper);
                 RocksIterator it = db.newIterator(read)) {
                for (it.seek(from); it.isValid(); it.next()) {
                    if (!visitor.visit(it.key(), it.value())) {
                        return null;
                    }
                }
                it.status();
            }
            return null;
        });
    }

    /**
     * Writes a checkpoint of the store's current content to {@code target}, which must not exist:
     * its table files are hard links (immutable, so shared safely), the rest small copies. It
     * flushes the write buffers first, so it costs about one flush whatever the data's size.
     */
    public void checkpoint(Path target) throws IOException {
        whileOpen("checkpoint", db -> {
            try (Checkpoint checkpoint = Checkpoint.create(db)) {
                checkpoint.createCheckpoint(target.toString());
            }
            return null;
        });
    }

    /** A call on the open store. */
    private interface Call<T> {
        T on(RocksDB db) throws RocksDBException;
    }

    /** Runs {@code call} on the store, which stays open meanwhile (a replacement or a close waits). */
    private <T> T whileOpen(String what, Call<T> call) throws IOException {
        lock.readLock().lock();
        try {
            return call.on(handle());
        } catch (RocksDBException e) {
            throw failure(what, e);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Replaces the store's content with the checkpoint in {@code source} (left as it is): the
     * new content is assembled beside the store, then takes its place. A crash before that
     * leaves the old store; {@code source} can be applied again.
     */
    public void replaceWith(Path source) throws IOException {
        lock.writeLock().lock();
        try {
            closeHandle();
            Path next = dir.resolveSibling(dir.getFileName() + ".next");
            DurableFiles.deleteTree(next);
            Files.createDirectories(next);
            try (Stream<Path> files = Files.list(source)) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".md5")) {
                        continue; // written by Ratis beside each file it installed
                    }
                    if (name.endsWith(".sst")) {
                        Files.createLink(next.resolve(name), file);
                    } else {
                        Files.copy(file, next.resolve(name));
                    }
                }
            }
            DurableFiles.forceDirectory(next);
            Path old = dir.resolveSibling(dir.getFileName() + ".old");
            DurableFiles.deleteTree(old);
            if (Files.exists(dir)) {
                Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(next, dir, StandardCopyOption.ATOMIC_MOVE);
            DurableFiles.forceDirectory(dir.toAbsolutePath().getParent());
            DurableFiles.deleteTree(old);
            openHandle();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /**
     * Closes and opens the store again: after a write failed (a full disk), RocksDB takes no more
     * writes until then; reopening recovers what its write-ahead log holds.
     */
    public void reopen() throws IOException {
        lock.writeLock().lock();
        try {
            closeHandle();
            openHandle();
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** A RocksDB property of the store, such as {@code rocksdb.total-sst-files-size}; 0 if closed. */
    public long property(String name) {
        lock.readLock().lock();
        try {
            return db == null ? 0 : db.getLongProperty(name);
        } catch (RocksDBException e) {
            return 0;
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closeHandle();
            writeOptions.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private RocksDB handle() throws IOException {
        if (db == null) {
            throw new IOException("the store in " + dir + " is closed");
        }
        return db;
    }

    private void openHandle() throws IOException {
        options = memory.options();
        try {
            db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            options.close();
            options = null;
            throw failure("open", e);
        }
    }

    private void closeHandle() {
        if (db != null) {
            db.close();
            db = null;
        }
        if (options != null) {
            options.close();
            options = null;
        }
    }

    private IOException failure(String what, RocksDBException e) {
        return new IOException("store " + dir + ": " + what + " failed: " + e.getMessage(), e);
    }
}
