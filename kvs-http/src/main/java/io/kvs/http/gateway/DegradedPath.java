package io.kvs.http.gateway;

import io.kvs.raft.partition.Outcome;
import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.http.peer.InternalMessages;
import io.kvs.raft.client.Failures;
import io.kvs.raft.client.RequestThreads;
import io.kvs.raft.engine.LocalReplica;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.logging.RepeatedEventLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Serves a key request from one replica on its own, for a partition whose group has no
 * majority (CONTRACT.md §4): reads from a replica that has seen what the client has, writes
 * accepted as hints. Replicas are tried in order, this node first; one that is behind the
 * client's payload is asked again briefly; with no replica reachable the answer is 503, fast.
 */
final class DegradedPath {
    private static final Logger LOG = LoggerFactory.getLogger(DegradedPath.class);
    private static final RepeatedEventLog NO_REPLICA = new RepeatedEventLog(LOG, Duration.ofSeconds(10));
    private static final long RETRY_MILLIS = 50;

    private final StoreEngine engine;
    private final RequestThreads threads;
    private final ReplicaAccess replicas;

    /** A replica's answer and which replica gave it. */
    record Served(NodeAddress replica, LocalReplica.Answer answer) {
    }

    DegradedPath(StoreEngine engine, RequestThreads threads, ReplicaAccess replicas) {
        this.engine = engine;
        this.threads = threads;
        this.replicas = replicas;
    }

    CompletableFuture<Served> read(Partition owner, InternalMessages.DegradedRequest request, long deadlineNanos) {
        return firstAnswer(owner, request, deadlineNanos, replicas::read);
    }

    CompletableFuture<Served> write(Partition owner, InternalMessages.DegradedRequest request, long deadlineNanos) {
        return firstAnswer(owner, request, deadlineNanos, replicas::write);
    }

    private CompletableFuture<Served> firstAnswer(Partition owner, InternalMessages.DegradedRequest request,
                                                  long deadlineNanos,
                                                  BiFunction<NodeAddress, InternalMessages.DegradedRequest,
                                                          CompletableFuture<LocalReplica.Answer>> ask) {
        CompletableFuture<Served> result = new CompletableFuture<>();
        tryReplicas(new Attempts(order(owner), System.nanoTime()), 0, false, request, deadlineNanos, ask, result);
        return result;
    }

    /** This node first (no network), then the others in view order. */
    private List<NodeAddress> order(Partition owner) {
        List<NodeAddress> order = new ArrayList<>();
        if (owner.hasMember(engine.self())) {
            order.add(engine.self());
        }
        owner.members().stream().filter(m -> !m.equals(engine.self())).forEach(order::add);
        return order;
    }

    /** The replicas to try, in order, and what each answered so far: for the log line of a request none served. */
    private record Attempts(List<NodeAddress> order, long startNanos, List<String> answers) {
        Attempts(List<NodeAddress> order, long startNanos) {
            this(order, startNanos, new ArrayList<>());
        }

        void record(NodeAddress replica, LocalReplica.Answer answer, Throwable failure) {
            answers.add(replica + " " + (failure != null ? Failures.causeOf(failure).toString() : answer.status()));
        }
    }

    private void tryReplicas(Attempts attempts, int next, boolean someBehind,
                             InternalMessages.DegradedRequest request, long deadlineNanos,
                             BiFunction<NodeAddress, InternalMessages.DegradedRequest,
                                     CompletableFuture<LocalReplica.Answer>> ask,
                             CompletableFuture<Served> result) {
        List<NodeAddress> order = attempts.order();
        if (next == order.size()) {
            long remaining = deadlineNanos - System.nanoTime();
            if (someBehind && remaining > TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS)) {
                // A reachable replica has not caught up with the client yet: it may in a moment.
                threads.after(RETRY_MILLIS).execute(() -> tryReplicas(attempts, 0, false, request, deadlineNanos, ask, result));
            } else {
                NO_REPLICA.record("no replica of group {} served a request alone in {} ms: {}", request.group(),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attempts.startNanos()), attempts.answers());
                result.completeExceptionally(new KvsException(ErrorCode.UNAVAILABLE));
            }
            return;
        }
        NodeAddress replica = order.get(next);
        // A replica that throws instead of answering (one restarting under this node) is one that
        // failed: thrown out of a retry on the request threads, it would leave the request unanswered.
        CompletableFuture.completedFuture(replica).thenCompose(r -> ask.apply(r, request))
                .orTimeout(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)
                .whenComplete((answer, failure) -> {
                    if (failure == null && answer.status().isFinal()) {
                        result.complete(new Served(replica, answer));
                    } else {
                        attempts.record(replica, answer, failure);
                        boolean behind = failure == null && answer.status() == Outcome.NOT_CAUGHT_UP;
                        tryReplicas(attempts, next + 1, someBehind || behind, request, deadlineNanos, ask, result);
                    }
                });
    }
}
