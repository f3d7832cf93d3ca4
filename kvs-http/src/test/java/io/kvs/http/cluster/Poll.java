package io.kvs.http.cluster;

import java.time.Duration;
import java.util.function.Supplier;

/** Waits for a condition by polling it, up to a deadline: never a bare sleep. */
public final class Poll {
    private Poll() {
    }

    /** Returns the first value {@code attempt} produces that is not null; fails with {@code what} at the deadline. */
    public static <T> T until(Duration deadline, String what, Supplier<T> attempt) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            T value = attempt.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + deadline.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
