package io.kvs.http.gateway;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which answer a request gets when its group's attempt was cut off and a replica is asked alone. */
class ReplicaOrLateGroupTest {
    private static final KvsException UNAVAILABLE = new KvsException(ErrorCode.UNAVAILABLE);
    private static final KvsException BEHIND = new KvsException(ErrorCode.NOT_CAUGHT_UP);
    private static final KvsException NOT_FOUND = new KvsException(ErrorCode.KEY_NOT_FOUND);

    private static long deadlineIn(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static ErrorCode failure(CompletableFuture<String> answer) {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> answer.get(5, TimeUnit.SECONDS));
        return ((KvsException) failed.getCause()).code();
    }

    @Test
    void whicheverSucceedsFirst() throws Exception {
        CompletableFuture<String> replica = new CompletableFuture<>();
        CompletableFuture<String> group = new CompletableFuture<>();
        CompletableFuture<String> answer = ReplicaOrLateGroup.first(replica, group, deadlineIn(5_000));
        replica.complete("hint");
        group.complete("committed");
        assertEquals("hint", answer.get(5, TimeUnit.SECONDS));

        replica = new CompletableFuture<>();
        group = new CompletableFuture<>();
        answer = ReplicaOrLateGroup.first(replica, group, deadlineIn(5_000));
        group.complete("committed");
        assertEquals("committed", answer.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aReplicaThatCannotServeLeavesTheGroupItsChance() throws Exception {
        for (KvsException cannot : new KvsException[]{UNAVAILABLE, BEHIND}) {
            CompletableFuture<String> group = new CompletableFuture<>();
            CompletableFuture<String> answer = ReplicaOrLateGroup.first(CompletableFuture.failedFuture(cannot), group,
                    deadlineIn(5_000));
            assertFalse(answer.isDone());
            group.complete("committed");
            assertEquals("committed", answer.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aReplicasDefiniteAnswerStandsAtOnce() {
        CompletableFuture<String> group = new CompletableFuture<>();
        CompletableFuture<String> answer = ReplicaOrLateGroup.first(CompletableFuture.failedFuture(NOT_FOUND), group,
                deadlineIn(60_000));
        assertEquals(ErrorCode.KEY_NOT_FOUND, failure(answer));
    }

    @Test
    void whenNeitherServesTheReplicasFailureIsTheAnswer() {
        CompletableFuture<String> answer = ReplicaOrLateGroup.first(CompletableFuture.failedFuture(BEHIND),
                CompletableFuture.failedFuture(UNAVAILABLE), deadlineIn(5_000));
        assertEquals(ErrorCode.NOT_CAUGHT_UP, failure(answer));

        CompletableFuture<String> replica = new CompletableFuture<>();
        answer = ReplicaOrLateGroup.first(replica, CompletableFuture.failedFuture(UNAVAILABLE), deadlineIn(5_000));
        assertFalse(answer.isDone(), "the replica is still to answer");
        replica.completeExceptionally(BEHIND);
        assertEquals(ErrorCode.NOT_CAUGHT_UP, failure(answer));
    }

    @Test
    void aGroupThatNeverAnswersIsBoundedByTheDeadline() {
        long start = System.nanoTime();
        CompletableFuture<String> answer = ReplicaOrLateGroup.first(CompletableFuture.failedFuture(UNAVAILABLE),
                new CompletableFuture<>(), deadlineIn(300));
        assertEquals(ErrorCode.UNAVAILABLE, failure(answer));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(took >= 250 && took < 2_000, "answered at the deadline: " + took + " ms");
    }
}
