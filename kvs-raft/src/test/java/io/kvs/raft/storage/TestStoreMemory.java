package io.kvs.raft.storage;

/** The store memory the tests' replicas share: one budget for the whole test JVM, never closed. */
public final class TestStoreMemory {
    public static final StoreMemory SHARED = new StoreMemory(64L << 20);

    private TestStoreMemory() {
    }
}
