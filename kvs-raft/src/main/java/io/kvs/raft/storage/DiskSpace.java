package io.kvs.raft.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Whether the disk under a node's data directory has room for more writes: more than a reserve
 * free. A node refuses new data below the reserve (the client gets 507) rather than let Raft's
 * log run out of space in the middle of an entry, and takes it again once room is back. The
 * free space is looked up at most every {@value #RECHECK_MILLIS} ms.
 */
public final class DiskSpace {
    public static final long DEFAULT_RESERVE_BYTES = 64L << 20;
    private static final long RECHECK_MILLIS = 200;

    private final FileStore store;
    private final long reserveBytes;
    private final LongSupplier clockMillis;
    private volatile long checkedAt;
    private volatile boolean room;

    public DiskSpace(Path dataDir, long reserveBytes) {
        this(dataDir, reserveBytes, System::currentTimeMillis);
    }

    DiskSpace(Path dataDir, long reserveBytes, LongSupplier clockMillis) {
        try {
            Files.createDirectories(dataDir);
            this.store = Files.getFileStore(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find the disk of " + dataDir, e);
        }
        this.reserveBytes = reserveBytes;
        this.clockMillis = clockMillis;
        this.room = usableBytes() > reserveBytes;
        this.checkedAt = clockMillis.getAsLong();
    }

    /** Whether more than the reserve is free. */
    public boolean hasRoom() {
        long now = clockMillis.getAsLong();
        if (now - checkedAt >= RECHECK_MILLIS) {
            room = usableBytes() > reserveBytes;
            checkedAt = now;
        }
        return room;
    }

    public long usableBytes() {
        try {
            return store.getUsableSpace();
        } catch (IOException e) {
            return 0; // a disk that cannot say how full it is takes no more data
        }
    }

    public long reserveBytes() {
        return reserveBytes;
    }
}
