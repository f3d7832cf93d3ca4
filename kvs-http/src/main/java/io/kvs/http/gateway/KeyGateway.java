package io.kvs.http.gateway;

import io.kvs.raft.partition.Outcome;
import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.VersionedValue;
import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.key.KeyRules;
import io.kvs.core.key.KeySlots;
import io.kvs.core.view.Partition;
import io.kvs.http.peer.InternalApi;
import io.kvs.http.peer.InternalMessages;
import io.kvs.raft.client.Failures;
import io.kvs.raft.client.RequestThreads;
import io.kvs.raft.engine.LocalReplica;
import io.kvs.raft.engine.PartitionEngine;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.WriteReply;
import okhttp3.OkHttpClient;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Turns a client's key request, received by any node, into a request to the Raft group of the
 * partition that owns the key ({@link RoutedRequest}); when the group cannot answer in time (no
 * majority, or it has not applied writes the client has seen), or at once when this node's
 * replica knows the group has no majority in reach ({@link #cutOff}), into a request to one
 * replica on its own ({@link DegradedPath}), except for a write to a group that commits, only
 * slowly (under load): that write stays with the group and is refused as busy if it misses its
 * time (see {@link #write}); and the answer into what the client sees.
 */
public final class KeyGateway {
    /** Every key request is answered within this (CONTRACT.md §3: within 1 s), outside view changes. */
    static final Duration ANSWER_WITHIN = Duration.ofMillis(950);
    /**
     * A write's time in a group that is committing this node's writes while more queue behind
     * them (load, not a lost majority): nearly the whole second. One that misses it is refused
     * as BUSY, not written to a replica alone (see {@link #write}).
     */
    static final Duration BUSY_GROUP_BUDGET = Duration.ofMillis(850);
    /** A write tried again in its group needs this much time left, at least. */
    private static final Duration RETRY_AT_LEAST = Duration.ofMillis(100);
    /** The pause before a write the group found behind its client's hints is tried again. */
    private static final Duration CAUGHT_UP_PAUSE = Duration.ofMillis(50);
    /** How long a node whose view is older than the client's payload waits to learn the newer one. */
    private static final long VIEW_CATCH_UP_MILLIS = 300;
    /**
     * A read's time with its replicas alone once its second is gone: a node that stalled (a long
     * GC pause, a starved CPU) while the group had the read would otherwise answer 503 without
     * asking a replica. A read with time left keeps its second (CONTRACT.md §3). A read served
     * late changes nothing; a write gets no such time, since its client may have given up on it
     * and written again (see {@link RoutedRequest}).
     */
    private static final Duration READ_ALONE_AFTER_DEADLINE = Duration.ofMillis(400);
    /**
     * How long this node's replica of a group must have known no leader before requests skip
     * the group for a replica alone, instead of spending the group's share of their second on
     * it first: twice the longest election timeout, so that a group that lost its leader but
     * not its majority has elected another by then.
     */
    private static final Duration NO_MAJORITY_AFTER = Duration.ofSeconds(1);
    /**
     * Writes this node may hold as hints for a cut-off group and still take the next at once.
     * Every hint must be replayed once the group has a majority again before every read shows
     * it (CONTRACT.md §4: within 5 s), and a node takes hints far faster than a group replays
     * them; beyond this backlog a write waits the group's share of its second first, as before
     * the cut-off was known, which keeps the backlog within what a heal replays in a few seconds.
     */
    private static final int HINTS_TAKEN_AT_ONCE = 10_000;

    private final StoreEngine engine;
    private final ViewSource views;
    private final RequestThreads threads;
    private final DegradedPath degraded;
    private final PayloadSeals seals = new PayloadSeals();

    /** @param peerHttp the node's client of other nodes' internal API ({@code api}) */
    public KeyGateway(StoreEngine engine, OkHttpClient peerHttp, InternalApi api) {
        this.engine = engine;
        this.views = ViewSource.of(engine);
        this.threads = engine.requestThreads();
        this.degraded = new DegradedPath(engine, threads, new ReplicaAccess(engine, peerHttp, api));
    }

    /**
     * What a request needs across its attempts: the key's slot, what the client has seen (its
     * payload, decoded once against the cluster the request came into), the deadline.
     */
    private record Request(String key, int slot, CausalPayload seen, long deadlineNanos, long writeId) {
        static Request of(String key, CausalPayload seen, long deadlineNanos) {
            return new Request(key, KeySlots.slotOf(key), seen, deadlineNanos,
                    ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE));
        }

        /** The request to one replica alone: a read, a write of {@code value}, or (null for a write) a delete. */
        InternalMessages.DegradedRequest toReplica(Partition owner, String value, boolean write) {
            // A replica alone must hold what the client has seen, and every key moved into its group.
            long required = Math.max(seen.appliedIndex(owner.group()), owner.readyIndex());
            return new InternalMessages.DegradedRequest(owner.group(), slot, key, value, write && value == null,
                    writeId, required, seen.hintsOf(owner.group()), seen.toCompactText(), 0);
        }
    }

    public CompletableFuture<KeyWrite> put(String key, String value, String payloadText) {
        KeyRules.requireValidKey(key);
        KeyRules.requireValidValue(value);
        if (!engine.diskHasRoom()) {
            throw new KvsException(ErrorCode.INSUFFICIENT_STORAGE);
        }
        return request(key, payloadText).thenCompose(request -> write(request, value));
    }

    /**
     * Deletes {@code key}: a tombstone takes its value's place, with the causal metadata of a
     * write. NOT_FOUND (a {@link KvsException}) if the key holds no value.
     */
    public CompletableFuture<KeyWrite> delete(String key, String payloadText) {
        KeyRules.requireValidKey(key);
        return request(key, payloadText).thenCompose(request -> write(request, null));
    }

    public CompletableFuture<KeyRead> get(String key, String payloadText) {
        KeyRules.requireValidKey(key);
        return request(key, payloadText).thenCompose(this::get);
    }

    /**
     * The request, once this node's view is at least as new as the one the client's payload
     * names. What the client has seen is kept for the groups of that view (their predecessors'
     * data lives on in them); judged by an older view, the positions in groups the client saw
     * made by a split would be dropped, and a replica that has not applied them would serve it.
     */
    private CompletableFuture<Request> request(String key, String payloadText) {
        long deadlineNanos = System.nanoTime() + ANSWER_WITHIN.toNanos();
        CausalPayload payload = seals.of(engine.requireState()).open(payloadText);
        return engine.stateAtLeast(payload.viewEpoch(), VIEW_CATCH_UP_MILLIS).thenApply(state ->
                Request.of(key, payload.retainGroups(liveGroups(state)), deadlineNanos));
    }

    /**
     * A write of {@code value}, or a delete if it is null: through the group, else on a replica
     * alone. A group that is committing this node's writes while more queue behind them is
     * busy, not cut off: it keeps the write for nearly the whole second ({@link
     * #BUSY_GROUP_BUDGET}), tries it again while it answers that it has not applied the client's
     * hints yet (their replay is under way), and refuses it as BUSY if the time is not enough.
     * Accepted on a replica alone instead, the write would be a hint in a group that commits:
     * every later write of its client must follow it, so the group refuses them until the hint
     * is replayed, they become hints in turn, each costing a wasted round in the group and a
     * replay, and under load the replicas' backlogs of hints fill up. A write not judged busy
     * when it came gets the group's share of the second ({@link RoutedRequest#BUDGET}), or none
     * if the group is cut off from this node ({@link #cutOff}) while this node holds few of its
     * hints ({@link #HINTS_TAKEN_AT_ONCE}); if the group did not take it then but showed
     * meanwhile that it commits ({@link #groupCommitted}), it is busy after all and stays there.
     * Only a group that showed nothing of the kind (no majority, a follower held up by its dead
     * peers) leaves the write to a replica alone, which keeps the partition available.
     */
    private CompletableFuture<KeyWrite> write(Request request, String value) {
        long start = System.nanoTime();
        PartitionEngine first = engine.partition(engine.requireState().view().ownerOfKey(request.key()));
        if (first.writesQueueBehindCommits(ANSWER_WITHIN)) {
            return inGroup(request, value, BUSY_GROUP_BUDGET).answer()
                    .exceptionallyCompose(failure -> inGroupAgain(request, value, start, failure));
        }
        boolean atOnce = cutOff(first) && engine.hintsPending(first.partition().group()) < HINTS_TAKEN_AT_ONCE;
        RoutedRequest.Routed<KeyWrite> viaGroup = atOnce ? RoutedRequest.notSent()
                : inGroup(request, value, RoutedRequest.BUDGET);
        CompletableFuture<KeyWrite> unlessCutOff = viaGroup.answer().exceptionallyCompose(failure ->
                groupCommitted(request, start, failure)
                        ? inGroupAgain(request, value, start, failure)
                        : CompletableFuture.failedFuture(failure));
        return orFromOneReplica(unlessCutOff, viaGroup.lateAnswer(), request.deadlineNanos(), Duration.ZERO, deadline -> {
            ClusterState state = engine.requireState();
            Partition owner = state.view().ownerOfKey(request.key());
            return degraded.write(owner, request.toReplica(owner, value, true), deadline)
                    .thenApply(served -> {
                        if (served.answer().status() == Outcome.NOT_FOUND) {
                            throw new KvsException(ErrorCode.KEY_NOT_FOUND);
                        }
                        return new KeyWrite(served.answer().status() == Outcome.CREATED,
                                owner.id(), encode(advance(request.seen(), owner, served), state),
                                served.answer().value().timestampSeconds());
                    });
        }).exceptionallyCompose(failure -> busyIfCommitting(request, start, failure));
    }

    /**
     * Whether the write's group, though it did not take the write (it failed with {@code
     * failure}), showed since the write came that it commits: it answered that it has not
     * applied the client's hints yet (a write is judged as it is applied, so that one was
     * committed), or it committed other writes ({@link #committedSince}). Such a group is slow,
     * not gone, and a write that left it for a replica alone would start a chain of hints.
     */
    private boolean groupCommitted(Request request, long start, Throwable failure) {
        return Failures.causeOf(failure) instanceof KvsException e
                && (e.code() == ErrorCode.NOT_CAUGHT_UP
                || e.code() == ErrorCode.UNAVAILABLE && committedSince(request, start));
    }

    /**
     * A write that neither its group nor a replica alone took within its second, unavailable, is
     * BUSY instead if the group committed while it was tried ({@link #committedSince}): the group
     * has a majority and commits, slowly because the machine is loaded (large values, other
     * clients), and the client is told to try again rather than that the store is down.
     */
    private CompletableFuture<KeyWrite> busyIfCommitting(Request request, long start, Throwable failure) {
        Throwable cause = Failures.causeOf(failure);
        if (cause instanceof KvsException e && e.code() == ErrorCode.UNAVAILABLE && committedSince(request, start)) {
            return CompletableFuture.failedFuture(new KvsException(ErrorCode.BUSY));
        }
        return CompletableFuture.failedFuture(cause);
    }

    /**
     * Whether the key's group committed since {@code start} (System.nanoTime), as this node sees
     * it: it answered this node's writes, or this node's replica applied others'. A group that
     * committed only before the write came may have lost its replicas since.
     */
    private boolean committedSince(Request request, long start) {
        return engine.partition(engine.requireState().view().ownerOfKey(request.key()))
                .committedWithin(Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * After {@code failure} in a busy group: the write again, in what is left of the busy
     * budget, while the group answers that it has not applied yet the client's hints (their
     * replay is under way: a short pause first) or that the time was not enough; BUSY once too
     * little is left. Other failures stand.
     */
    private CompletableFuture<KeyWrite> inGroupAgain(Request request, String value, long start, Throwable failure) {
        Throwable cause = Failures.causeOf(failure);
        if (!(cause instanceof KvsException e)
                || e.code() != ErrorCode.NOT_CAUGHT_UP && e.code() != ErrorCode.UNAVAILABLE) {
            return CompletableFuture.failedFuture(cause);
        }
        Duration pause = e.code() == ErrorCode.NOT_CAUGHT_UP ? CAUGHT_UP_PAUSE : Duration.ZERO;
        Duration left = BUSY_GROUP_BUDGET.minusNanos(System.nanoTime() - start).minus(pause);
        if (left.compareTo(RETRY_AT_LEAST) < 0) {
            return CompletableFuture.failedFuture(new KvsException(ErrorCode.BUSY));
        }
        return CompletableFuture.supplyAsync(() -> null, threads.after(pause.toMillis()))
                .thenCompose(ignored -> inGroup(request, value, left).answer())
                .exceptionallyCompose(again -> inGroupAgain(request, value, start, again));
    }

    /** The write through the group that owns the key, within {@code budget}. */
    private RoutedRequest.Routed<KeyWrite> inGroup(Request request, String value, Duration budget) {
        String key = request.key();
        return RoutedRequest.run(views, threads, budget, (state, deadlineMillis) -> {
            Partition owner = state.view().ownerOfKey(key);
            CausalPayload seen = request.seen();
            PartitionCommand.Put put = new PartitionCommand.Put(request.slot(), key, value, seen.hintsOf(owner.group()),
                    request.writeId(), deadlineMillis, seen);
            return engine.partition(owner).put(put).thenApply(reply -> switch (reply.status()) {
                case CREATED, UPDATED -> new RoutedRequest.Step.Done<>(new KeyWrite(
                        reply.status() == Outcome.CREATED, owner.id(),
                        encode(seen.withApplied(owner.group(), reply.index()), state),
                        VersionedValue.timestampSeconds(reply.timestampMillis())));
                case NOT_FOUND -> throw new KvsException(ErrorCode.KEY_NOT_FOUND);
                default -> RoutedRequest.Step.refused(reply.status());
            });
        });
    }

    private CompletableFuture<KeyRead> get(Request request) {
        String key = request.key();
        RoutedRequest.Routed<KeyRead> viaGroup = cutOff(engine.partition(engine.requireState().view().ownerOfKey(key)))
                ? RoutedRequest.notSent() : readInGroup(request);
        return orFromOneReplica(viaGroup.answer(), viaGroup.lateAnswer(), request.deadlineNanos(), READ_ALONE_AFTER_DEADLINE,
                deadline -> {
                    ClusterState state = engine.requireState();
                    Partition owner = state.view().ownerOfKey(key);
                    return degraded.read(owner, request.toReplica(owner, null, false), deadline).thenApply(served -> {
                        if (served.answer().status() == Outcome.NOT_FOUND) {
                            throw new KvsException(ErrorCode.KEY_NOT_FOUND);
                        }
                        return read(served.answer().value(), owner, advance(request.seen(), owner, served), state);
                    });
                });
    }

    /** The read through the group that owns the key, within the group's share of the second. */
    private RoutedRequest.Routed<KeyRead> readInGroup(Request request) {
        String key = request.key();
        return RoutedRequest.run(views, threads, RoutedRequest.BUDGET, (state, deadline) -> {
            Partition owner = state.view().ownerOfKey(key);
            CausalPayload seen = request.seen();
            PartitionQuery.Get query = new PartitionQuery.Get(request.slot(), key, seen.hintsOf(owner.group()));
            return engine.partition(owner).read(query).thenApply(reply -> switch (reply.status()) {
                case FOUND -> new RoutedRequest.Step.Done<>(read(reply.value(), owner,
                        seen.withApplied(owner.group(), reply.appliedIndex()), state));
                case NOT_FOUND -> throw new KvsException(ErrorCode.KEY_NOT_FOUND);
                default -> RoutedRequest.Step.refused(reply.status());
            });
        });
    }

    /**
     * Whether the group of {@code owner} has no majority in reach of this node, as its replica here
     * knows ({@link #NO_MAJORITY_AFTER}): a request would wait out the group's share of its
     * second for nothing. Once the replica knows a leader again, requests go to the group.
     * While a view change is under way a request waits for the group instead ({@link
     * RoutedRequest}): a group the change starts may elect its first leader late.
     */
    private boolean cutOff(PartitionEngine owner) {
        return !views.changing() && owner.withoutLeaderFor(NO_MAJORITY_AFTER);
    }

    /**
     * The group's answer ({@code viaGroup}), or, when the group could not give one (no majority:
     * unavailable; or behind the client's payload), the answer of a replica on its own, unless
     * the group's attempt the budget cut off succeeds first ({@code lateGroup}, {@link
     * ReplicaOrLateGroup}). Both have until {@code deadlineNanos}, or {@code afterDeadline}
     * from the group's failure if that came past the deadline.
     */
    private static <T> CompletableFuture<T> orFromOneReplica(CompletableFuture<T> viaGroup, CompletableFuture<T> lateGroup,
                                                             long deadlineNanos, Duration afterDeadline,
                                                             LongFunction<CompletableFuture<T>> alone) {
        return viaGroup.exceptionallyCompose(failure -> {
            Throwable cause = Failures.causeOf(failure);
            if (ReplicaOrLateGroup.couldNotServe(cause)) {
                long now = System.nanoTime();
                long deadline = now - deadlineNanos < 0 ? deadlineNanos : now + afterDeadline.toNanos();
                return ReplicaOrLateGroup.first(alone.apply(deadline), lateGroup, deadline);
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** The client has now seen the replica's applied log and, if the value is a hint it holds, that hint. */
    private static CausalPayload advance(CausalPayload seen, Partition owner, DegradedPath.Served served) {
        CausalPayload next = seen.withApplied(owner.group(), served.answer().appliedIndex());
        return served.answer().hintId() > 0
                ? next.withHint(owner.group(), served.replica().toString(), served.answer().hintId())
                : next;
    }

    /** A read value; the reader has now seen everything its writer had seen, too. */
    private KeyRead read(VersionedValue value, Partition owner, CausalPayload seen, ClusterState state) {
        return new KeyRead(value.value(), owner.id(), encode(seen.merge(value.deps()), state), value.timestampSeconds());
    }

    /**
     * Payload entries of groups no longer in the view are dropped (their successors hold their
     * data); the view's epoch is added, so the client is never served by an older view later.
     */
    private String encode(CausalPayload payload, ClusterState state) {
        return seals.of(state).seal(payload.retainGroups(liveGroups(state)).withViewEpoch(state.view().epoch()));
    }

    private static Set<Integer> liveGroups(ClusterState state) {
        return state.view().partitions().stream().map(Partition::group).collect(Collectors.toSet());
    }
}
