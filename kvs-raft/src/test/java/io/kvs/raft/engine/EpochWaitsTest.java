package io.kvs.raft.engine;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EpochWaitsTest {
    private final EpochWaits waits = new EpochWaits();

    @Test
    void aWaitEndsWhenItsEpochOrALaterOneIsReached() {
        CompletableFuture<Void> three = waits.await(3);
        CompletableFuture<Void> five = waits.await(5);
        waits.reached(2);
        assertFalse(three.isDone());
        waits.reached(4);
        assertTrue(three.isDone());
        assertFalse(five.isDone());
        waits.reached(7);
        assertTrue(five.isDone());
        assertTrue(waits.await(6).isDone(), "an epoch already reached needs no wait");
        assertEquals(0, waits.open());
    }

    @Test
    void anAbandonedWaitIsForgotten() throws Exception {
        CompletableFuture<Void> timedOut = waits.await(9).orTimeout(1, TimeUnit.MILLISECONDS);
        assertTrue(timedOut.handle((v, e) -> e != null).get(5, TimeUnit.SECONDS));
        CompletableFuture<Void> cancelled = waits.await(9);
        cancelled.cancel(false);
        Awaitility.await("no wait kept after it was given up").atMost(java.time.Duration.ofSeconds(5))
                .until(() -> waits.open() == 0);
    }
}
