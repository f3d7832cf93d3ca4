package io.kvs.http.gateway;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.raft.client.Failures;
import io.kvs.raft.client.RequestThreads;
import io.kvs.raft.logging.RepeatedEventLog;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.partition.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends a key request to the group that owns the key by the node's view, and tries again when
 * the answer says the view moved on: the slot is being migrated (wait for the commit), the group
 * no longer owns it or no longer exists (re-read the view from the metadata group). A client
 * sees success, not the migration.
 *
 * <p>Bounds: the caller's budget ({@link #BUDGET} normally, after which the caller falls back to
 * a replica on its own); while a view change is under way (the client then waits for the commit, as the contract
 * allows) up to 30 s. Each attempt has its own deadline. Once the view change has committed the
 * normal bound holds again: a group still electing a leader after it is served by its replicas
 * alone, like any group without a leader. A longer budget there would let a write the client has
 * given up on take effect seconds later, after the client's next write.
 *
 * <p>An attempt cut off by the budget may still be answered: a write that entered the group's
 * log before its deadline commits when the group gets to it. Its answer is kept ({@link
 * Routed#lateAnswer}) for a caller that goes on to try elsewhere within the request's second.
 */
final class RoutedRequest<R> {
    private static final Logger LOG = LoggerFactory.getLogger(RoutedRequest.class);
    private static final RepeatedEventLog GROUP_UNAVAILABLE = new RepeatedEventLog(LOG, Duration.ofSeconds(10));
    /** The group's share of a request's second; the rest is for reaching a replica on its own. */
    static final Duration BUDGET = Duration.ofMillis(450);
    static final Duration VIEW_CHANGE_BUDGET = Duration.ofSeconds(30);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(900);
    private static final long RETRY_DELAY_MILLIS = 50;

    /** What one attempt, made with one view, concluded. */
    sealed interface Step<R> {
        record Done<R>(R result) implements Step<R> {
        }

        /**
         * The view is out of date: {@code why} is WRONG_OWNER if the group said so (re-read the
         * view), MOVING if the key is being moved by the change under way (wait for the commit).
         */
        record Retry<R>(Outcome why) implements Step<R> {
            boolean stale() {
                return why == Outcome.WRONG_OWNER;
            }
        }

        /** What a group's refusal of a request means for it: try again with a newer view, or fail. */
        static <R> Step<R> refused(Outcome outcome) {
            return switch (outcome) {
                case MOVING, WRONG_OWNER -> new Retry<>(outcome);
                case NOT_CAUGHT_UP -> throw new KvsException(ErrorCode.NOT_CAUGHT_UP);
                // The leader took it after this attempt's deadline, so not at all: no majority in time.
                case LATE -> throw new KvsException(ErrorCode.UNAVAILABLE);
                default -> throw new IllegalStateException("a group answered " + outcome);
            };
        }
    }

    /** One attempt with the given cluster state, to be answered by {@code deadlineMillis} (wall clock). */
    interface Attempt<R> {
        CompletableFuture<Step<R>> run(ClusterState state, long deadlineMillis);
    }

    private final ViewSource views;
    private final RequestThreads threads;
    private final Attempt<R> attempt;
    private final long start = System.nanoTime();
    private final CompletableFuture<R> result = new CompletableFuture<>();
    private final CompletableFuture<R> lateAnswer = new CompletableFuture<>();
    private volatile long deadline;

    private RoutedRequest(ViewSource views, RequestThreads threads, Duration budget, Attempt<R> attempt) {
        this.views = views;
        this.threads = threads;
        this.attempt = attempt;
        this.deadline = start + budget.toNanos();
    }

    /**
     * What a request through its group came to: its {@code answer} within the budget; and the
     * answer of an attempt the budget cut off, should it come ({@code lateAnswer}, which fails if
     * the request ended otherwise; unbounded in time: the caller bounds it).
     */
    record Routed<R>(CompletableFuture<R> answer, CompletableFuture<R> lateAnswer) {
    }

    /**
     * A request not sent to its group, which is known to have no majority in reach: it is
     * unavailable, and the caller goes to a replica on its own at once.
     */
    static <R> Routed<R> notSent() {
        return new Routed<>(CompletableFuture.failedFuture(new KvsException(ErrorCode.UNAVAILABLE)),
                CompletableFuture.failedFuture(new KvsException(ErrorCode.UNAVAILABLE)));
    }

    /** Runs {@code attempt}, and again after a pause on {@code threads} while the answer says to. */
    static <R> Routed<R> run(ViewSource views, RequestThreads threads, Duration budget, Attempt<R> attempt) {
        RoutedRequest<R> request = new RoutedRequest<>(views, threads, budget, attempt);
        request.next(views.current());
        return new Routed<>(request.result, request.lateAnswer);
    }

    private void next(ClusterState state) {
        long timeout = Math.min(deadline - System.nanoTime(), ATTEMPT_TIMEOUT.toNanos());
        CompletableFuture<Step<R>> answer = attempt.run(state,
                System.currentTimeMillis() + TimeUnit.NANOSECONDS.toMillis(timeout));
        // The timeout goes on a copy: the attempt's own answer may still come after it.
        answer.copy().orTimeout(timeout, TimeUnit.NANOSECONDS)
                .whenComplete((step, failure) -> {
                    if (failure == null && step instanceof Step.Done<R> done) {
                        succeed(done.result());
                    } else if (failure == null) {
                        retry(((Step.Retry<R>) step).stale());
                    } else {
                        // A timeout completes on the JVM's one timer thread; what follows (a
                        // replica's hint write among it) must not hold every other timeout back.
                        threads.execute(() -> onFailure(Failures.causeOf(failure), answer));
                    }
                });
    }

    private void onFailure(Throwable cause, CompletableFuture<Step<R>> answer) {
        LOG.debug("attempt failed after {} ms: {}", elapsedMillis(), cause.toString());
        if (cause instanceof KvsException e) {
            fail(e);
        } else if (cause instanceof RejectedExecutionException) {
            // This node already holds all the requests for the group it may: back-pressure. Tried
            // again at once it would be refused again; on a replica alone it would be a hint in a
            // group that commits.
            fail(new KvsException(ErrorCode.BUSY));
        } else if (views.changing()) {
            retry(false);
        } else if (deadline - System.nanoTime() > TimeUnit.MILLISECONDS.toNanos(150)) {
            after(() -> next(views.current()));
        } else {
            GROUP_UNAVAILABLE.record("a key request's group did not serve it in {} ms: {}", elapsedMillis(),
                    cause.toString());
            if (cause instanceof TimeoutException) {
                answer.whenComplete((step, failure) -> {
                    if (failure == null && step instanceof Step.Done<R> done) {
                        lateAnswer.complete(done.result());
                    } else {
                        lateAnswer.completeExceptionally(new KvsException(ErrorCode.UNAVAILABLE));
                    }
                });
                result.completeExceptionally(new KvsException(ErrorCode.UNAVAILABLE));
            } else {
                fail(new KvsException(ErrorCode.UNAVAILABLE));
            }
        }
    }

    private void succeed(R value) {
        result.complete(value);
        lateAnswer.completeExceptionally(new KvsException(ErrorCode.UNAVAILABLE));
    }

    /** The request failed with no attempt left unanswered. */
    private void fail(KvsException e) {
        result.completeExceptionally(e);
        lateAnswer.completeExceptionally(e);
    }

    /**
     * The view moved on: try again with a newer view. While the change is under way the request
     * may wait for it, up to a view change's budget; a stale view alone is re-read within the
     * normal budget.
     */
    private void retry(boolean stale) {
        LOG.debug("retrying after {} ms, view {}", elapsedMillis(), stale ? "stale" : "changing");
        if (!stale || views.changing()) {
            deadline = Math.max(deadline, start + VIEW_CHANGE_BUDGET.toNanos());
        }
        if (System.nanoTime() > deadline) {
            LOG.info("key request gave up after {} ms: its partition kept moving", elapsedMillis());
            fail(new KvsException(ErrorCode.UNAVAILABLE,
                    "key value store is not available: a view change did not finish in time"));
            return;
        }
        if (!stale) {
            after(() -> next(views.current()));
            return;
        }
        views.fresh().orTimeout(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenComplete((fresh, failure) ->
                after(() -> {
                    ClusterState local = views.current();
                    next(fresh != null && fresh.view().epoch() > local.view().epoch() ? fresh : local);
                }));
    }

    private void after(Runnable action) {
        threads.after(RETRY_DELAY_MILLIS).execute(() -> {
            try {
                action.run();
            } catch (KvsException e) {
                fail(e);
            } catch (RuntimeException e) { // thrown out of the request threads, it would leave the request unanswered
                LOG.warn("key request failed: {}", e.toString());
                fail(new KvsException(ErrorCode.UNAVAILABLE));
            }
        });
    }

    private long elapsedMillis() {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
