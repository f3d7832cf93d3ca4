package io.kvs.raft.concurrent;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DaemonThreadFactoryTest {
    @Test
    void aSingleThreadKeepsItsNameAndIsADaemon() {
        Thread thread = DaemonThreadFactory.single("view-change").newThread(() -> { });
        assertEquals("view-change", thread.getName());
        assertTrue(thread.isDaemon());
    }

    @Test
    void aPoolsThreadsAreNumberedDaemons() {
        DaemonThreadFactory factory = DaemonThreadFactory.numbered("n1-requests");
        Thread first = factory.newThread(() -> { });
        Thread second = factory.newThread(() -> { });
        assertEquals("n1-requests-1", first.getName());
        assertEquals("n1-requests-2", second.getName());
        assertTrue(first.isDaemon() && second.isDaemon());
    }
}
