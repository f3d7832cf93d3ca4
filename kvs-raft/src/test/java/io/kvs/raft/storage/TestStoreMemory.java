package io.kvs.raft.storage;

import java.nio.file.Path;

/** The store memory the tests' replicas share: one budget for the whole test JVM, never closed. */
public final class TestStoreMemory {
    public static final StoreMemory SHARED = create();

    private TestStoreMemory() {
    }

    private static StoreMemory create() {
        NativeStoreLibrary.load(Path.of("target", "native"));
        return new StoreMemory(64L << 20);
    }
}
