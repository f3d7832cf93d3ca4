package io.kvs.http.gateway;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.raft.client.Failures;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The answer to a request whose group did not answer within its budget: a replica's on its own,
 * or the group's, should its cut-off attempt still be answered by the deadline (a write already
 * in the log commits a moment later), whichever succeeds first. A replica's definite refusal (a
 * key that does not exist) is the answer at once; a replica that cannot serve (unavailable, or
 * behind the client) leaves the group its chance until the deadline.
 */
final class ReplicaOrLateGroup {
    private ReplicaOrLateGroup() {
    }

    static <T> CompletableFuture<T> first(CompletableFuture<T> replica, CompletableFuture<T> lateGroup, long deadlineNanos) {
        CompletableFuture<T> result = new CompletableFuture<>();
        // The replica's failure once it failed without a definite answer; the first of the two to fail leaves it set.
        AtomicReference<Throwable> failed = new AtomicReference<>();
        replica.whenComplete((value, failure) -> {
            if (failure == null) {
                result.complete(value);
                return;
            }
            Throwable cause = Failures.causeOf(failure);
            if (!couldNotServe(cause) || !failed.compareAndSet(null, cause)) {
                result.completeExceptionally(cause);
            }
        });
        lateGroup.copy()
                .orTimeout(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)
                .whenComplete((value, failure) -> {
                    if (failure == null) {
                        result.complete(value);
                    } else if (!failed.compareAndSet(null, failure)) {
                        result.completeExceptionally(failed.get());
                    }
                });
        return result;
    }

    /** Whether a failure means this replica could not serve, not that the request cannot be served. */
    static boolean couldNotServe(Throwable cause) {
        return cause instanceof KvsException e
                && (e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.NOT_CAUGHT_UP);
    }
}
