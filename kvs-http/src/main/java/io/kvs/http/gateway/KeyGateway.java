package io.kvs.http.gateway;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.key.KeyRules;
import io.kvs.core.key.KeySlots;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.ReadReply;
import io.kvs.raft.partition.WriteReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Routes a client's key request, received by any node, to the Raft group of the partition that
 * owns the key, and turns the group's answer into what the client sees.
 */
public final class KeyGateway {
    private static final Logger LOG = LoggerFactory.getLogger(KeyGateway.class);
    /** Every key request is answered within this, whatever the faults (CONTRACT.md §3). */
    static final Duration REQUEST_BUDGET = Duration.ofMillis(900);

    private final StoreEngine engine;

    public KeyGateway(StoreEngine engine) {
        this.engine = engine;
    }

    public CompletableFuture<KeyWrite> put(String key, String value, String payloadText) {
        KeyRules.requireValidKey(key);
        KeyRules.requireValidValue(value);
        ClusterState state = engine.requireState();
        Partition owner = state.view().ownerOfKey(key);
        CausalPayload seen = CausalPayload.decode(payloadText, state.tag());
        return engine.partitions().write(engine.partitionGroup(owner), new PartitionCommand.Put(KeySlots.slotOf(key), key, value))
                .orTimeout(REQUEST_BUDGET.toMillis(), TimeUnit.MILLISECONDS)
                .handle((reply, failure) -> {
                    if (failure != null) {
                        throw unavailable(owner, failure);
                    }
                    if (reply.status() != WriteReply.Status.CREATED && reply.status() != WriteReply.Status.UPDATED) {
                        throw new KvsException(ErrorCode.UNAVAILABLE);
                    }
                    CausalPayload next = seen.withApplied(owner.group(), reply.index());
                    return new KeyWrite(reply.status() == WriteReply.Status.CREATED, owner.id(),
                            encode(next, state), reply.stored().timestampSeconds());
                });
    }

    public CompletableFuture<KeyRead> get(String key, String payloadText) {
        KeyRules.requireValidKey(key);
        ClusterState state = engine.requireState();
        Partition owner = state.view().ownerOfKey(key);
        CausalPayload seen = CausalPayload.decode(payloadText, state.tag());
        PartitionQuery query = new PartitionQuery(KeySlots.slotOf(key), key, seen.hintsOf(owner.group()));
        return engine.partitions().read(engine.partitionGroup(owner), query)
                .orTimeout(REQUEST_BUDGET.toMillis(), TimeUnit.MILLISECONDS)
                .handle((reply, failure) -> {
                    if (failure != null) {
                        throw unavailable(owner, failure);
                    }
                    if (reply.status() == ReadReply.Status.NOT_FOUND) {
                        throw new KvsException(ErrorCode.KEY_NOT_FOUND);
                    }
                    if (reply.status() != ReadReply.Status.FOUND) {
                        throw new KvsException(ErrorCode.UNAVAILABLE);
                    }
                    CausalPayload next = seen.withApplied(owner.group(), reply.appliedIndex());
                    return new KeyRead(reply.value().value(), owner.id(), encode(next, state),
                            reply.value().timestampSeconds());
                });
    }

    /** Payload entries of groups no longer in the view are dropped: their successors hold their data. */
    private static String encode(CausalPayload payload, ClusterState state) {
        View view = state.view();
        Set<Integer> live = view.partitions().stream().map(Partition::group).collect(Collectors.toSet());
        return payload.retainGroups(live).encode(state.tag());
    }

    private static KvsException unavailable(Partition owner, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof KvsException e) {
            return e;
        }
        String why = cause instanceof TimeoutException ? "no answer in time" : cause.getClass().getSimpleName();
        LOG.info("partition {} unavailable: {}", owner.id(), why);
        return new KvsException(ErrorCode.UNAVAILABLE);
    }
}
