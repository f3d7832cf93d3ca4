package io.kvs.raft.client;

import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestBatcherTest {
    private final RaftGroup group = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()));
    private final RaftGroup other = RaftGroup.valueOf(RaftGroupId.valueOf(UUID.randomUUID()));

    /** A sender whose batches the test answers by hand: each reply echoes its request. */
    private static final class ManualSender implements RequestBatcher.Sender<Integer, String> {
        final List<List<Integer>> batches = new ArrayList<>();
        final List<CompletableFuture<List<String>>> replies = new ArrayList<>();

        @Override
        public synchronized CompletableFuture<List<String>> send(RaftGroup group, List<Integer> batch) {
            batches.add(batch);
            CompletableFuture<List<String>> reply = new CompletableFuture<>();
            replies.add(reply);
            return reply;
        }

        void answer(int batch) {
            replies.get(batch).complete(batches.get(batch).stream().map(i -> "r" + i).toList());
        }
    }

    private static RequestBatcher<Integer, String> batcher(ManualSender sender, int maxInFlight, int maxItems,
                                                          int maxBytes) {
        return new RequestBatcher<>(sender, maxInFlight, Long.MAX_VALUE, 8, maxItems, maxBytes, i -> i, i -> 0, 1_000, Long.MAX_VALUE);
    }

    @Test
    void aLoneRequestGoesAtOnceAndTheRestWaitForABatchToComeBack() throws Exception {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = batcher(sender, 1, 100, 1_000);
        CompletableFuture<String> first = batcher.submit(group, 1);
        assertEquals(List.of(List.of(1)), sender.batches, "nothing in flight: sent alone, at once");
        List<CompletableFuture<String>> waiting = new ArrayList<>();
        for (int i = 2; i <= 5; i++) {
            waiting.add(batcher.submit(group, i));
        }
        assertEquals(1, sender.batches.size(), "one batch in flight: the others wait");
        sender.answer(0);
        assertEquals("r1", first.get());
        assertEquals(List.of(2, 3, 4, 5), sender.batches.get(1), "they go together when it comes back");
        sender.answer(1);
        for (int i = 0; i < waiting.size(); i++) {
            assertEquals("r" + (i + 2), waiting.get(i).get());
        }
    }

    /** Writes relayed from another node arrive together: they go together, not the first one alone. */
    @Test
    void requestsSubmittedTogetherGoInOneBatch() throws Exception {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = batcher(sender, 1, 100, 1_000);
        List<CompletableFuture<String>> replies = batcher.submitAll(group, List.of(1, 2, 3));
        assertEquals(List.of(List.of(1, 2, 3)), sender.batches, "nothing in flight: all three at once, together");
        List<CompletableFuture<String>> next = batcher.submitAll(group, List.of(4, 5));
        batcher.submit(group, 6);
        assertEquals(1, sender.batches.size(), "one batch in flight: the others wait");
        sender.answer(0);
        assertEquals(List.of("r1", "r2", "r3"), List.of(replies.get(0).get(), replies.get(1).get(), replies.get(2).get()));
        assertEquals(List.of(4, 5, 6), sender.batches.get(1), "what waited goes together, in order");
        sender.answer(1);
        assertEquals("r5", next.get(1).get());
    }

    /** Each request of a group whose queue is full fails alone; the others of its submission go. */
    @Test
    void aFullQueueRefusesOnlyWhatDoesNotFit() {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(sender, 1, Long.MAX_VALUE, 8, 100, 1_000,
                i -> i, i -> 0, 2, Long.MAX_VALUE);
        batcher.submit(group, 1); // in flight: nothing waits
        List<CompletableFuture<String>> replies = batcher.submitAll(group, List.of(2, 3, 4));
        assertFalse(replies.get(0).isDone());
        assertFalse(replies.get(1).isDone());
        ExecutionException refused = assertThrows(ExecutionException.class, () -> replies.get(2).get());
        assertInstanceOf(java.util.concurrent.RejectedExecutionException.class, refused.getCause());
        sender.answer(0);
        assertEquals(List.of(2, 3), sender.batches.get(1));
    }

    /** Busy and answering: requests wait or are in flight, and the group answered one recently. */
    @Test
    void aGroupIsBusyAndAnsweringWhileItsQueueDrains() {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = batcher(sender, 1, 1, 1_000);
        long second = TimeUnit.SECONDS.toNanos(1);
        assertFalse(batcher.busyAndAnswering(group.getGroupId(), second), "nothing sent yet");
        batcher.submit(group, 1);
        batcher.submit(group, 2);
        assertFalse(batcher.busyAndAnswering(group.getGroupId(), second), "queued, but never answered");
        sender.answer(0);
        assertTrue(batcher.busyAndAnswering(group.getGroupId(), second), "answered, and the next one is out");
        assertFalse(batcher.busyAndAnswering(group.getGroupId(), 0), "not answered within no time");
        assertFalse(batcher.busyAndAnswering(other.getGroupId(), second), "another group");
        sender.answer(1);
        assertFalse(batcher.busyAndAnswering(group.getGroupId(), second), "answered, nothing waits");
        batcher.submit(other, 3);
        batcher.submit(other, 4);
        sender.replies.get(2).completeExceptionally(new IllegalStateException("no leader"));
        assertFalse(batcher.busyAndAnswering(other.getGroupId(), second), "a failed batch is no answer");
    }

    @Test
    void aGroupAnsweredWithinATimeWhetherOrNotAnythingWaits() {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = batcher(sender, 1, 1, 1_000);
        long second = TimeUnit.SECONDS.toNanos(1);
        assertFalse(batcher.answeredWithin(group.getGroupId(), second), "nothing sent yet");
        batcher.submit(group, 1);
        assertFalse(batcher.answeredWithin(group.getGroupId(), second), "sent, not answered");
        sender.answer(0);
        assertTrue(batcher.answeredWithin(group.getGroupId(), second), "answered, though nothing waits now");
        assertFalse(batcher.busyAndAnswering(group.getGroupId(), second), "answered is not busy");
        long answered = System.nanoTime();
        assertFalse(batcher.answeredWithin(group.getGroupId(), System.nanoTime() - answered),
                "not within less than the time since");
        assertFalse(batcher.answeredWithin(other.getGroupId(), second), "another group");
        batcher.submit(other, 2);
        sender.replies.get(1).completeExceptionally(new IllegalStateException("no leader"));
        assertFalse(batcher.answeredWithin(other.getGroupId(), second), "a failed batch is no answer");
    }

    @Test
    void requestsGivenUpOnAreNoLoad() {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = batcher(sender, 1, 1, 1_000);
        long second = TimeUnit.SECONDS.toNanos(1);
        batcher.submit(group, 1);
        sender.answer(0);
        CompletableFuture<String> inFlight = batcher.submit(group, 2);
        CompletableFuture<String> waiting = batcher.submit(group, 3);
        assertTrue(batcher.busyAndAnswering(group.getGroupId(), second), "one in flight, one waiting");
        waiting.completeExceptionally(new TimeoutException("the caller gave up"));
        assertTrue(batcher.busyAndAnswering(group.getGroupId(), second), "the one in flight is still awaited");
        inFlight.completeExceptionally(new TimeoutException("the caller gave up"));
        assertFalse(batcher.busyAndAnswering(group.getGroupId(), second), "a lone caller's abandoned request");
        CompletableFuture<String> next = batcher.submit(group, 4);
        sender.answer(1);
        assertEquals(List.of(4), sender.batches.get(2), "the request given up while it waited is not sent");
        sender.answer(2);
        assertEquals("r4", next.join());
    }

    /** A request past its deadline is no load, and fails rather than go out once its turn comes. */
    @Test
    void requestsPastTheirDeadlineAreNoLoadAndAreNotSent() throws Exception {
        ManualSender sender = new ManualSender();
        long soon = System.currentTimeMillis() + 200;
        // Requests of 100 and more are given up on in 200 ms; the others in an hour.
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(sender, 1, Long.MAX_VALUE, 8, 100, 1_000,
                i -> i, i -> i >= 100 ? soon : soon + 3_600_000, 1_000, Long.MAX_VALUE);
        long minute = TimeUnit.MINUTES.toNanos(1);
        batcher.submit(group, 1);
        sender.answer(0);
        CompletableFuture<String> inFlight = batcher.submit(group, 100);
        CompletableFuture<String> late = batcher.submit(group, 101);
        assertTrue(batcher.busyAndAnswering(group.getGroupId(), minute), "both awaited until their deadline");
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (batcher.busyAndAnswering(group.getGroupId(), minute)) {
            assertTrue(System.nanoTime() < giveUp, "still load 10 s after both deadlines passed");
            Thread.sleep(10);
        }
        CompletableFuture<String> onTime = batcher.submit(group, 2);
        assertTrue(batcher.busyAndAnswering(group.getGroupId(), minute), "an awaited request waits");
        sender.answer(1);
        assertEquals("r100", inFlight.join(), "a request already out is answered all the same");
        assertEquals(List.of(2), sender.batches.get(2), "the late one waiting is not sent");
        ExecutionException failed = assertThrows(ExecutionException.class, late::get);
        assertInstanceOf(RequestBatcher.DeadlinePassed.class, failed.getCause(), "failed as never sent");
        sender.answer(2);
        assertEquals("r2", onTime.join());
    }

    @Test
    void batchesAreBoundedByCountAndBytesAndInFlight() {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = batcher(sender, 2, 3, 10);
        batcher.submit(group, 1);
        batcher.submit(group, 1);
        assertEquals(2, sender.batches.size(), "two may be in flight");
        for (int i = 0; i < 5; i++) {
            batcher.submit(group, 1);
        }
        batcher.submit(group, 9);
        batcher.submit(group, 20);
        assertEquals(2, sender.batches.size());
        sender.answer(0);
        assertEquals(List.of(1, 1, 1), sender.batches.get(2), "at most three requests");
        sender.answer(1);
        assertEquals(List.of(1, 1), sender.batches.get(3), "at most ten bytes: the 9 does not fit");
        sender.answer(2);
        assertEquals(List.of(9), sender.batches.get(4));
        sender.answer(3);
        assertEquals(List.of(20), sender.batches.get(5), "a request over the byte limit goes alone");
    }

    @Test
    void aStalledBatchDoesNotHoldTheNextOneBack() throws Exception {
        ManualSender sender = new ManualSender();
        long stall = TimeUnit.MILLISECONDS.toNanos(20);
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(sender, 1, stall, 1, 100, 1_000, i -> i, i -> 0, 1_000, Long.MAX_VALUE);
        batcher.submit(group, 1);
        batcher.submit(group, 2);
        assertEquals(1, sender.batches.size(), "the first batch is not stalled yet");
        long until = System.nanoTime() + 2 * stall;
        while (System.nanoTime() < until) {
            Thread.sleep(5);
        }
        batcher.submit(group, 3);
        assertEquals(List.of(2, 3), sender.batches.get(1), "the first is stalled: the next goes beside it");
        batcher.submit(group, 4);
        assertEquals(2, sender.batches.size(), "one stalled batch lets one more go, no more");
        sender.answer(0);
        assertEquals(2, sender.batches.size(), "the second batch is in flight, and not stalled");
        sender.answer(1);
        assertEquals(List.of(4), sender.batches.get(2));
    }

    @Test
    void groupsAreBatchedApart() {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = batcher(sender, 1, 100, 1_000);
        batcher.submit(group, 1);
        batcher.submit(other, 2);
        assertEquals(List.of(List.of(1), List.of(2)), sender.batches, "another group's batch does not wait");
    }

    @Test
    void aFailedBatchFailsEachOfItsRequestsAndTheNextBatchStillGoes() {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = batcher(sender, 1, 100, 1_000);
        CompletableFuture<String> first = batcher.submit(group, 1);
        CompletableFuture<String> second = batcher.submit(group, 2);
        sender.replies.get(0).completeExceptionally(new IllegalStateException("no leader"));
        ExecutionException failed = assertThrows(ExecutionException.class, first::get);
        assertInstanceOf(IllegalStateException.class, failed.getCause());
        assertFalse(second.isDone());
        assertEquals(List.of(2), sender.batches.get(1));
    }

    @Test
    void aReplyOfTheWrongLengthFailsTheBatch() {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = batcher(sender, 1, 100, 1_000);
        CompletableFuture<String> first = batcher.submit(group, 1);
        sender.replies.get(0).complete(List.of("r1", "extra"));
        assertTrue(first.isCompletedExceptionally());
    }

    @Test
    void aSenderThatThrowsFailsTheBatch() {
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>((g, batch) -> {
            throw new IllegalArgumentException("cannot encode");
        }, 1, Long.MAX_VALUE, 8, 100, 1_000, i -> i, i -> 0, 1_000, Long.MAX_VALUE);
        assertTrue(batcher.submit(group, 1).isCompletedExceptionally());
        assertTrue(batcher.submit(group, 2).isCompletedExceptionally(), "the queue is not left blocked");
    }

    /** One request the sender cannot encode fails alone; the others of its batch go through. */
    @Test
    void aRequestTheSenderRefusesFailsAloneNotItsWholeBatch() {
        ManualSender accepted = new ManualSender();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>((g, batch) -> {
            if (batch.contains(13)) {
                throw new IllegalArgumentException("cannot encode 13");
            }
            return accepted.send(g, batch);
        }, 1, Long.MAX_VALUE, 8, 100, 1_000, i -> i, i -> 0, 1_000, Long.MAX_VALUE);
        CompletableFuture<String> first = batcher.submit(group, 1);
        CompletableFuture<String> second = batcher.submit(group, 2);
        CompletableFuture<String> bad = batcher.submit(group, 13);
        CompletableFuture<String> fourth = batcher.submit(group, 4);
        accepted.answer(0); // [1]; then [2, 13, 4] is refused and sent one by one
        assertEquals(List.of(List.of(1), List.of(2), List.of(4)), accepted.batches);
        accepted.answer(1);
        accepted.answer(2);
        assertEquals("r1", first.join());
        assertEquals("r2", second.join());
        assertEquals("r4", fourth.join());
        assertTrue(bad.isCompletedExceptionally());
    }

    @Test
    void requestsBeyondTheWaitingBoundFailAtOnce() {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(sender, 1, Long.MAX_VALUE, 8, 100, 1_000,
                i -> i, i -> 0, 2, Long.MAX_VALUE);
        CompletableFuture<String> sent = batcher.submit(group, 1);
        CompletableFuture<String> waiting1 = batcher.submit(group, 2);
        CompletableFuture<String> waiting2 = batcher.submit(group, 3);
        CompletableFuture<String> refused = batcher.submit(group, 4);
        assertTrue(refused.isCompletedExceptionally());
        assertFalse(waiting1.isDone() || waiting2.isDone());
        sender.answer(0);
        assertEquals("r1", sent.join());
        assertEquals(List.of(2, 3), sender.batches.get(1));
        assertFalse(batcher.submit(group, 5).isDone(), "room again once the batch went");
    }

    @Test
    void requestsBeyondTheWaitingBytesFailAtOnceButOneLargeRequestMayAlwaysWait() {
        ManualSender sender = new ManualSender();
        RequestBatcher<Integer, String> batcher = new RequestBatcher<>(sender, 1, Long.MAX_VALUE, 8, 100, 1_000,
                i -> i, i -> 0, 1_000, 100);
        CompletableFuture<String> sent = batcher.submit(group, 500);
        CompletableFuture<String> large = batcher.submit(group, 400);
        assertFalse(large.isDone(), "alone, a request larger than the bound waits");
        assertTrue(batcher.submit(group, 1).isCompletedExceptionally(), "400 bytes wait already");
        sender.answer(0);
        assertEquals("r500", sent.join());
        CompletableFuture<String> small = batcher.submit(group, 60);
        assertTrue(batcher.submit(group, 50).isCompletedExceptionally(), "60 + 50 bytes would wait");
        assertFalse(batcher.submit(group, 40).isDone());
        sender.answer(1);
        assertEquals(List.of(60, 40), sender.batches.get(2));
        assertFalse(small.isDone());
    }
}
