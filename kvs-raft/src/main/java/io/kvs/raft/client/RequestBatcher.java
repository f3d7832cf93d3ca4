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
import java.util.function.ToIntFunction;

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
    /** Requests that may wait for a group at once; beyond, a request fails at once rather than queue. */
    private final int maxWaiting;
    private final long maxWaitingBytes;
    /** One queue per group; a retired group leaves an empty queue of a few bytes behind. */
    private final Map<RaftGroupId, GroupQueue> queues = new ConcurrentHashMap<>();

    RequestBatcher(Sender<I, O> sender, int maxInFlight, long stallNanos, int maxStalled, int maxItems, int maxBytes,
                   ToIntFunction<I> sizeOf, int maxWaiting, long maxWaitingBytes) {
        this.sender = sender;
        this.maxInFlight = maxInFlight;
        this.stallNanos = stallNanos;
        this.maxStalled = maxStalled;
        this.maxItems = maxItems;
        this.maxBytes = maxBytes;
        this.sizeOf = sizeOf;
        this.maxWaiting = maxWaiting;
        this.maxWaitingBytes = maxWaitingBytes;
    }

    private record Pending<I, O>(I request, CompletableFuture<O> reply) {
        /** Whether the caller still waits for the reply: not answered yet, and not given up on (its future completed). */
        boolean awaited() {
            return !reply.isDone();
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
         * {@code now}. Requests their callers gave up on while they waited are dropped, not
         * sent: nobody would read their replies, and a write past its deadline would be refused.
         */
        Sent<I, O> nextBatch(long now) {
            if (waiting.isEmpty() || !maySend(now)) {
                return null;
            }
            List<Pending<I, O>> batch = new ArrayList<>();
            int bytes = 0;
            while (!waiting.isEmpty() && batch.size() < maxItems) {
                int size = sizeOf.applyAsInt(waiting.peekFirst().request());
                if (!waiting.peekFirst().awaited()) {
                    waiting.pollFirst();
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

        boolean anyAwaited() {
            return waiting.stream().anyMatch(Pending::awaited)
                    || inFlight.stream().anyMatch(sent -> sent.batch().stream().anyMatch(Pending::awaited));
        }
    }

    /**
     * Whether {@code group} is busy but answering: this node has requests for it, waiting or in
     * flight, whose callers still wait for them, and the group answered a batch within the last
     * {@code withinNanos}. Such a group has a majority; its requests are slow because they queue,
     * not because it cannot commit. A request its caller gave up on (completed its future) does
     * not count: a lone client's earlier request, still out in a group that is slow for want of
     * a healthy majority, is not load.
     */
    boolean busyAndAnswering(RaftGroupId group, long withinNanos) {
        GroupQueue queue = queues.get(group);
        if (queue == null) {
            return false;
        }
        synchronized (queue) {
            return queue.lastAnswered != null && System.nanoTime() - queue.lastAnswered < withinNanos
                    && queue.anyAwaited();
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
                queue.waiting.addLast(new Pending<>(request, reply));
                queue.waitingBytes += size;
            }
            batch = queue.nextBatch(now);
            target = queue.group;
        }
        if (batch != null) {
            send(queue, target, batch);
        }
        return replies;
    }

    private void send(GroupQueue queue, RaftGroup group, Sent<I, O> sent) {
        answer(group, sent.batch()).whenComplete((answered, failure) -> {
            Sent<I, O> next;
            RaftGroup target;
            long now = System.nanoTime();
            synchronized (queue) {
                queue.inFlight.removeIf(each -> each == sent);
                if (answered) {
                    queue.lastAnswered = now;
                }
                next = queue.nextBatch(now);
                target = queue.group;
            }
            if (next != null) {
                send(queue, target, next);
            }
        });
    }

    /**
     * Sends a batch and completes each of its requests with its reply. A batch the sender
     * refuses outright (a request it cannot encode) is sent again one request at a time, so that
     * one client's bad request fails alone, never the others that shared its batch.
     */
    /** Whether the group answered (any reply, whatever its outcome), not failed the batch. */
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
