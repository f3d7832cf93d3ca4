package io.kvs.raft.migration;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A step of a view change retried a bounded number of times, each attempt with its own deadline,
 * with a growing pause between attempts (a group that lost its leader needs an election).
 */
final class BoundedRetry {
    static final int ATTEMPTS = 6;
    private static final long FIRST_PAUSE_MILLIS = 100;

    private BoundedRetry() {
    }

    /** One attempt: waits, with a deadline, for a remote call. */
    interface Attempt<T> {
        T run() throws InterruptedException, ExecutionException, TimeoutException;
    }

    static <T> T await(Attempt<T> attempt, String what) throws IOException {
        Exception last = null;
        long pause = FIRST_PAUSE_MILLIS;
        for (int i = 0; i < ATTEMPTS; i++) {
            try {
                if (i > 0) {
                    Thread.sleep(pause);
                    pause *= 2;
                }
                return attempt.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted: " + what, e);
            } catch (ExecutionException | TimeoutException e) {
                last = e;
            }
        }
        throw new IOException(what + " failed " + ATTEMPTS + " times: " + last, last);
    }
}
