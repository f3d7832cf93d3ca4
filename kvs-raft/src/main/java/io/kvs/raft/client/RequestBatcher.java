package io.kvs.raft.client;

import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

/**
 * Sends a group's requests in batches, one Raft request for many client requests. Nothing waits
 * to fill a batch: a request goes out at once while fewer than {@code maxInFlight} batches of
 * its group are in flight; requests that arrive meanwhile queue and go together in the next
 * batch as soon as one comes back. Under load batches grow by themselves; a lone client pays
 * no delay. A batch holds at most {@code maxItems} requests and about {@code maxBytes} (one
 * larger request goes alone). At most {@code maxWaiting} requests, and about
 * {@code maxWaitingBytes}, wait for a group; more fail at once: memory for what waits is bounded
 * whatever the requests' size.
 *
 * <p>A batch out for longer than {@code stallNanos} (the group is electing a leader, or its
 * leader is gone) does not hold the next one back: up to {@code maxStalled} more may go, so
 * that requests behind a stalled batch still reach the group within their own deadline.
 *
 * <p>A request may carry a deadline ({@code deadlineOf}, wall-clock millis; 0 for none): its
 * caller gives up on it then. Past it, a request still waiting is failed rather than sent, and
 * no request counts as load any more ({@link #busyAndAnswering}).
 *
 * @param <I> a request
 * @param <O> its reply; the sender answers a batch with one reply per request, in order
 */
final class RequestBatcher<I, O> {

    /** Sends one batch to a group. */
    interface Sender<I, O> {
        CompletableFuture<List<O>> send(RaftGroup group, List<I> batch);
    }

    private final Sender<I, O> sender;
    private final int maxInFlight;
    private final long stallNanos;
    private final int maxStalled;
    private final int maxItems;
    private final int maxBytes;
    private final ToIntFunction<I> sizeOf;
    private final ToLongFunction<I> deadlineOf;
    /** Requests that may wait for a group at once; beyond, a request fails at once rather than queue. */
    private final int maxWaiting;
    private final long maxWaitingBytes;
    /** One queue per group; a retired group leaves an empty queue of a few bytes behind. */
    private final Map<RaftGroupId, GroupQueue> queues = new ConcurrentHashMap<>();

    RequestBatcher(Sender<I, O> sender, int maxInFlight, long stallNanos, int maxStalled, int maxItems, int maxBytes,
                   ToIntFunction<I> sizeOf, ToLongFunction<I> deadlineOf, int maxWaiting, long maxWaitingBytes) {
        this.sender = sender;
        this.maxInFlight = maxInFlight;
        this.stallNanos = stallNanos;
        this.maxStalled = maxStalled;
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
        this.sizeOf = sizeOf;
        this.deadlineOf = deadlineOf;
        this.maxWaiting = maxWaiting;
        this.maxWaitingBytes = maxWaitingBytes;
    }

    /** The failure of a request whose deadline passed while it waited: it was never sent. */
    static final class DeadlinePassed extends TimeoutException {
        DeadlinePassed() {
            super("its deadline passed while it waited for a batch");
        }
    }

    /** A request, its reply to be, and when its caller gives up on it (wall-clock millis; 0: never). */
    private record Pending<I, O>(I request, CompletableFuture<O> reply, long deadlineMillis) {
        /** Whether the caller still waits for the reply: not answered yet, and its deadline not passed. */
        boolean awaited(long nowMillis) {
            return !reply.isDone() && (deadlineMillis == 0 || nowMillis < deadlineMillis);
        }
    }

    /** A batch in flight: when it was sent (System.nanoTime), and its requests. */
    private record Sent<I, O>(long at, List<Pending<I, O>> batch) {
    }

    /** A group's waiting requests and its batches in flight; guarded by itself. */
    private final class GroupQueue {
        final ArrayDeque<Pending<I, O>> waiting = new ArrayDeque<>();
        final ArrayDeque<Sent<I, O>> inFlight = new ArrayDeque<>();
        long waitingBytes;
        RaftGroup group;
        /** When the group last answered a batch (System.nanoTime), or null if it never has. */
        Long lastAnswered;

        boolean maySend(long now) {
            if (inFlight.size() < maxInFlight) {
                return true;
            }
            long stalled = inFlight.stream().filter(sent -> now - sent.at() > stallNanos).count();
            return stalled > 0 && inFlight.size() < maxInFlight + Math.min(stalled, maxStalled);
        }

        /**
         * The next batch to send, if a batch may go now; records it as in flight, sent at
         * {@code now}. Requests their callers gave up on while they waited are not sent (nobody
         * would read their replies, and a write past its deadline would be refused): they go to
         * {@code expired}, to be failed once the queue's lock is released.
         */
        Sent<I, O> nextBatch(long now, List<Pending<I, O>> expired) {
            if (waiting.isEmpty() || !maySend(now)) {
                return null;
            }
            long nowMillis = System.currentTimeMillis();
            List<Pending<I, O>> batch = new ArrayList<>();
            int bytes = 0;
            while (!waiting.isEmpty() && batch.size() < maxItems) {
                int size = sizeOf.applyAsInt(waiting.peekFirst().request());
                if (!waiting.peekFirst().awaited(nowMillis)) {
                    expired.add(waiting.pollFirst());
                    waitingBytes -= size;
                    continue;
                }
                if (!batch.isEmpty() && bytes + size > maxBytes) {
                    break;
                }
                batch.add(waiting.pollFirst());
                bytes += size;
                waitingBytes -= size;
            }
            if (batch.isEmpty()) {
                return null;
            }
            Sent<I, O> sent = new Sent<>(now, batch);
            inFlight.addLast(sent);
            return sent;
        }

        boolean answeredWithin(long withinNanos) {
            return lastAnswered != null && System.nanoTime() - lastAnswered < withinNanos;
        }

        /** Whether any request waiting or in flight is still awaited; stops at the first, almost always the oldest. */
        boolean anyAwaited() {
            long nowMillis = System.currentTimeMillis();
            return waiting.stream().anyMatch(pending -> pending.awaited(nowMillis))
                    || inFlight.stream().anyMatch(sent -> sent.batch().stream().anyMatch(pending -> pending.awaited(nowMillis)));
        }
    }

    /**
     * Whether {@code group} is busy but answering: this node has requests for it, waiting or in
     * flight, whose callers still wait for them, and the group answered a batch within the last
     * {@code withinNanos}. Such a group has a majority; its requests are slow because they queue,
     * not because it cannot commit. A request past its deadline does not count: a lone client's
     * earlier request, still out in a group that is slow for want of a healthy majority, is not
     * load.
     */
    boolean busyAndAnswering(RaftGroupId group, long withinNanos) {
        return queueOf(group, queue -> queue.answeredWithin(withinNanos) && queue.anyAwaited());
    }

    /**
     * Whether {@code group} answered a batch of this node's within the last {@code withinNanos}:
     * it had a leader that took requests then, whether or not any wait now.
     */
    boolean answeredWithin(RaftGroupId group, long withinNanos) {
        return queueOf(group, queue -> queue.answeredWithin(withinNanos));
    }

    /** What {@code test} says of the group's queue, under its lock; false if this node never sent to the group. */
    private boolean queueOf(RaftGroupId group, Predicate<GroupQueue> test) {
        GroupQueue queue = queues.get(group);
        if (queue == null) {
            return false;
        }
        synchronized (queue) {
            return test.test(queue);
        }
    }

    /** Sends {@code request} to {@code group}, alone or with others. */
    CompletableFuture<O> submit(RaftGroup group, I request) {
        return submitAll(group, List.of(request)).get(0);
    }

    /**
     * Sends {@code requests} to {@code group}, in one batch if they fit in one and none waits
     * before them: all of them queue before a batch goes. Each request that finds its group's
     * queue full fails alone.
     */
    List<CompletableFuture<O>> submitAll(RaftGroup group, List<I> requests) {
        GroupQueue queue = queues.computeIfAbsent(group.getGroupId(), id -> new GroupQueue());
        List<CompletableFuture<O>> replies = new ArrayList<>(requests.size());
        List<Pending<I, O>> expired = new ArrayList<>(0);
        Sent<I, O> batch;
        RaftGroup target;
        long now = System.nanoTime();
        synchronized (queue) {
            queue.group = group; // the latest peers any caller named
            for (I request : requests) {
                CompletableFuture<O> reply = new CompletableFuture<>();
                replies.add(reply);
                int size = sizeOf.applyAsInt(request);
                if (queue.waiting.size() >= maxWaiting
                        || !queue.waiting.isEmpty() && queue.waitingBytes + size > maxWaitingBytes) {
                    reply.completeExceptionally(new RejectedExecutionException(queue.waiting.size() + " requests of "
                            + queue.waitingBytes + " bytes already wait for " + group.getGroupId()));
                    continue;
                }
                queue.waiting.addLast(new Pending<>(request, reply, deadlineOf.applyAsLong(request)));
                queue.waitingBytes += size;
            }
            batch = queue.nextBatch(now, expired);
            target = queue.group;
        }
        fail(expired);
        if (batch != null) {
            send(queue, target, batch);
        }
        return replies;
    }

    private void send(GroupQueue queue, RaftGroup group, Sent<I, O> sent) {
        answer(group, sent.batch()).whenComplete((answered, failure) -> {
            List<Pending<I, O>> expired = new ArrayList<>(0);
            Sent<I, O> next;
            RaftGroup target;
            long now = System.nanoTime();
            synchronized (queue) {
                queue.inFlight.removeIf(each -> each == sent);
                if (answered) {
                    queue.lastAnswered = now;
                }
                next = queue.nextBatch(now, expired);
                target = queue.group;
            }
            fail(expired);
            if (next != null) {
                send(queue, target, next);
            }
        });
    }

    /** Fails requests whose deadlines passed while they waited; outside the queue's lock, as callers' steps may follow. */
    private static <I, O> void fail(List<Pending<I, O>> expired) {
        for (Pending<I, O> pending : expired) {
            pending.reply().completeExceptionally(new DeadlinePassed());
        }
    }

    /**
     * Sends a batch and completes each of its requests with its reply; whether the group
     * answered (any reply, whatever its outcome) rather than failed the batch. A batch the
     * sender refuses outright (a request it cannot encode) is sent again one request at a time,
     * so that one client's bad request fails alone, never the others that shared its batch.
     */
    private CompletableFuture<Boolean> answer(RaftGroup group, List<Pending<I, O>> batch) {
        CompletableFuture<List<O>> replies;
        try {
            replies = sender.send(group, batch.stream().map(Pending::request).toList());
        } catch (RuntimeException refused) {
            if (batch.size() > 1) {
                List<CompletableFuture<Boolean>> each = batch.stream().map(pending -> answer(group, List.of(pending)))
                        .toList();
                return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                        .thenApply(ignored -> each.stream().anyMatch(CompletableFuture::join));
            }
            replies = CompletableFuture.failedFuture(refused);
        }
        return replies.handle((answers, failure) -> {
            for (int i = 0; i < batch.size(); i++) {
                CompletableFuture<O> reply = batch.get(i).reply();
                if (failure != null) {
                    reply.completeExceptionally(failure);
                } else if (answers.size() != batch.size()) {
                    reply.completeExceptionally(new IllegalStateException(
                            answers.size() + " replies to a batch of " + batch.size()));
                } else {
                    reply.complete(answers.get(i));
                }
            }
            return failure == null;
        });
    }
}
