package io.kvs.http.gateway;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.View;
import io.kvs.raft.client.RequestThreads;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.partition.Outcome;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounds of a routed request: its budget, the longer one while a view changes, and what ends it early. */
class RoutedRequestTest {
    private static final View VIEW = View.initial(List.of(NodeAddress.parse("10.0.0.1:8080")), 1);
    private static final RequestThreads THREADS = new RequestThreads("test");

    /** A node's view of the cluster: its state, whether a change runs, and a fresher state from the metadata group. */
    private static final class FakeViews implements ViewSource {
        volatile ClusterState current = new ClusterState("c", "t", VIEW, null, null);
        volatile ClusterState fresher = current;
        volatile boolean changing;

        @Override
        public ClusterState current() {
            return current;
        }

        @Override
        public boolean changing() {
            return changing;
        }

        @Override
        public CompletableFuture<ClusterState> fresh() {
            return CompletableFuture.completedFuture(fresher);
        }
    }

    private static <R> R await(CompletableFuture<R> future) throws Exception {
        return future.get(40, TimeUnit.SECONDS);
    }

    private static <R> R await(RoutedRequest.Routed<R> routed) throws Exception {
        return await(routed.answer());
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    @Test
    void anAnswerEndsIt() throws Exception {
        FakeViews views = new FakeViews();
        assertEquals("done", await(RoutedRequest.run(views, THREADS, RoutedRequest.BUDGET, (state, deadline) ->
                CompletableFuture.completedFuture(new RoutedRequest.Step.Done<>("done")))));
    }

    @Test
    void failuresAreRetriedWithinTheBudgetThenTheStoreIsUnavailable() {
        FakeViews views = new FakeViews();
        AtomicInteger attempts = new AtomicInteger();
        long start = System.nanoTime();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(RoutedRequest.run(views, THREADS,
                RoutedRequest.BUDGET,
                (state, deadline) -> {
                    attempts.incrementAndGet();
                    return CompletableFuture.failedFuture(new IOException("no leader"));
                })));
        long took = millisSince(start);
        assertEquals(ErrorCode.UNAVAILABLE, ((KvsException) failed.getCause()).code());
        assertTrue(attempts.get() > 1, "retried: " + attempts);
        assertTrue(took >= RoutedRequest.BUDGET.toMillis() - 200 && took < 1_000, "within the budget: " + took);
    }

    /** A longer budget (a busy group's write) is also the deadline its attempts give the leader. */
    @Test
    void theBudgetBoundsRetriesAndIsTheLeadersDeadline() {
        FakeViews views = new FakeViews();
        Duration budget = Duration.ofMillis(850);
        long startMillis = System.currentTimeMillis();
        long start = System.nanoTime();
        AtomicLong firstDeadline = new AtomicLong();
        assertThrows(ExecutionException.class, () -> await(RoutedRequest.run(views, THREADS, budget, (state, deadline) -> {
            firstDeadline.compareAndSet(0, deadline);
            return CompletableFuture.failedFuture(new IOException("no answer"));
        })));
        long took = millisSince(start);
        assertTrue(took >= budget.toMillis() - 200 && took < 1_000, "within the budget: " + took);
        long given = firstDeadline.get() - startMillis;
        assertTrue(given >= budget.toMillis() - 50 && given <= budget.toMillis() + 50,
                "the leader's deadline: " + given);
    }

    /** An attempt the budget cut off is still heard: a write in the log commits after its client's budget. */
    @Test
    void anAttemptCutOffByTheBudgetMayStillBeAnswered() throws Exception {
        FakeViews views = new FakeViews();
        CompletableFuture<RoutedRequest.Step<String>> slow = new CompletableFuture<>();
        RoutedRequest.Routed<String> routed = RoutedRequest.run(views, THREADS, Duration.ofMillis(200),
                (state, deadline) -> slow);
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(routed));
        assertEquals(ErrorCode.UNAVAILABLE, ((KvsException) failed.getCause()).code());
        assertFalse(routed.lateAnswer().isDone(), "the late answer waits for the attempt");
        slow.complete(new RoutedRequest.Step.Done<>("committed"));
        assertEquals("committed", await(routed.lateAnswer()));

        RoutedRequest.Routed<String> answered = RoutedRequest.run(views, THREADS, RoutedRequest.BUDGET,
                (state, deadline) -> CompletableFuture.completedFuture(new RoutedRequest.Step.Done<>("done")));
        assertEquals("done", await(answered));
        assertThrows(ExecutionException.class, () -> await(answered.lateAnswer()), "nothing is left to answer late");
    }

    @Test
    void aStoreErrorEndsItAtOnce() {
        FakeViews views = new FakeViews();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(RoutedRequest.run(views, THREADS,
                RoutedRequest.BUDGET,
                (state, deadline) -> CompletableFuture.failedFuture(new KvsException(ErrorCode.KEY_NOT_FOUND)))));
        assertInstanceOf(KvsException.class, failed.getCause());
        assertEquals(ErrorCode.KEY_NOT_FOUND, ((KvsException) failed.getCause()).code());
    }

    /** A node whose queue for the group is full refuses at once, as busy: no retry, no replica alone. */
    @Test
    void aFullQueueIsBusyAtOnce() {
        FakeViews views = new FakeViews();
        AtomicInteger attempts = new AtomicInteger();
        long start = System.nanoTime();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(RoutedRequest.run(views, THREADS,
                RoutedRequest.BUDGET, (state, deadline) -> {
                    attempts.incrementAndGet();
                    return CompletableFuture.failedFuture(new RejectedExecutionException("full"));
                })));
        assertEquals(ErrorCode.BUSY, ((KvsException) failed.getCause()).code());
        assertEquals(1, attempts.get(), "not tried again");
        assertTrue(millisSince(start) < 200, "at once: " + millisSince(start));
    }

    /** A key being moved waits for the view change, past the normal budget, and is answered after it. */
    @Test
    void aMovingKeyWaitsForTheViewChange() throws Exception {
        FakeViews views = new FakeViews();
        views.changing = true;
        long start = System.nanoTime();
        String answer = await(RoutedRequest.run(views, THREADS, RoutedRequest.BUDGET, (state, deadline) -> {
            if (millisSince(start) < 1_500) {
                return CompletableFuture.completedFuture(new RoutedRequest.Step.Retry<>(Outcome.MOVING));
            }
            views.changing = false;
            return CompletableFuture.completedFuture(new RoutedRequest.Step.Done<>("moved"));
        }));
        assertEquals("moved", answer);
        assertTrue(millisSince(start) >= 1_500);
    }

    /** A group that no longer owns the key sends the request to a newer view, read from the metadata group. */
    @Test
    void aStaleViewIsReadAgainAndTheNextAttemptUsesTheNewerOne() throws Exception {
        FakeViews views = new FakeViews();
        View next = new View(2, 1, VIEW.nodes(), VIEW.partitions(), VIEW.slots(), VIEW.nextGroup());
        views.fresher = new ClusterState("c", "t", next, null, null);
        long epoch = await(RoutedRequest.run(views, THREADS, RoutedRequest.BUDGET, (state, deadline) -> CompletableFuture
                .completedFuture(
                state.view().epoch() == 1 ? new RoutedRequest.Step.Retry<>(Outcome.WRONG_OWNER)
                        : new RoutedRequest.Step.Done<>(state.view().epoch()))));
        assertEquals(2, epoch);
    }

    @Test
    void aViewThatStaysStaleOutsideAChangeGivesUpWithinTheBudget() {
        FakeViews views = new FakeViews();
        long start = System.nanoTime();
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(RoutedRequest.run(views, THREADS,
                RoutedRequest.BUDGET,
                (state, deadline) -> CompletableFuture.completedFuture(
                        new RoutedRequest.Step.Retry<>(Outcome.WRONG_OWNER)))));
        assertEquals(ErrorCode.UNAVAILABLE, ((KvsException) failed.getCause()).code());
        assertTrue(millisSince(start) < 1_000, "within the budget: " + millisSince(start));
    }
}
