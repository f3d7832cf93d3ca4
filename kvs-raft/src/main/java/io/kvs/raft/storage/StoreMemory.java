package io.kvs.raft.storage;

import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * The memory every replica store of a node shares, sized from one setting: a block cache, and
 * the write buffers (memtables) charged to it, so that however many groups the node hosts and
 * however much data they hold, the stores together use about {@code bytes} outside the heap.
 * RocksDB's native library must be loaded first ({@link NativeStoreLibrary}).
 */
public final class StoreMemory implements AutoCloseable {
    /** What a node gets unless it is told otherwise ({@code STORE_MEMORY_MB}). */
    public static final long DEFAULT_BYTES = 128L << 20;
    private static final long MIN_BYTES = 8L << 20;

    private final long bytes;
    private final Cache cache;
    private final WriteBufferManager writeBuffers;

    /** @param bytes the budget: a quarter of it at most for write buffers, all of it for the cache */
    public StoreMemory(long bytes) {
        if (bytes < MIN_BYTES) {
            throw new IllegalArgumentException("the store memory must be at least " + (MIN_BYTES >> 20) + " MiB, got "
                    + bytes + " bytes");
        }
        this.bytes = bytes;
        this.cache = new LRUCache(bytes);
        this.writeBuffers = new WriteBufferManager(bytes / 4, cache);
    }

    public long bytes() {
        return bytes;
    }

    /** Options for one replica's store: it shares this memory, and creates its files if missing. */
    Options options() {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                .setFilterPolicy(new BloomFilter(10, false));
        return new Options()
                .setCreateIfMissing(true)
                .setWriteBufferManager(writeBuffers)
                // A replica's memtable is bounded by the shared manager; this caps one replica's share.
                .setWriteBufferSize(Math.min(64L << 20, bytes / 8))
                .setMaxWriteBufferNumber(2)
                .setKeepLogFileNum(2)
                // No space reserved ahead for logs and manifests (by default megabytes per store,
                // per file): a node's disk use follows its data, and its reserve keeps its meaning.
                .setAllowFAllocate(false)
                .setManifestPreallocationSize(64 << 10)
                .setTableFormatConfig(table);
    }

    @Override
    public void close() {
        writeBuffers.close();
        cache.close();
    }
}
