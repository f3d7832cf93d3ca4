package io.kvs.raft.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiskSpaceTest {
    @Test
    void thereIsRoomAboveTheReserveOnly(@TempDir Path dir) {
        assertTrue(new DiskSpace(dir, 0).hasRoom());
        assertFalse(new DiskSpace(dir, Long.MAX_VALUE).hasRoom(), "no disk has that much free");
    }

    /** The free space is looked up again after a while, not on every write, and from the first check on. */
    @Test
    void theAnswerIsRecheckedAfterAWhile(@TempDir Path dir) {
        AtomicLong now = new AtomicLong(0);
        DiskSpace space = new DiskSpace(dir, 0, now::get);
        assertTrue(space.hasRoom());
        DiskSpace full = new DiskSpace(dir, Long.MAX_VALUE, now::get);
        assertFalse(full.hasRoom());
        now.addAndGet(1_000);
        assertFalse(full.hasRoom());
        assertTrue(space.hasRoom());
    }
}
