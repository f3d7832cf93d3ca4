package io.kvs.http.gateway;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.key.KeyRules;
import io.kvs.core.key.KeySlots;
import io.kvs.core.view.Partition;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.ReadReply;
import io.kvs.raft.partition.WriteReply;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Turns a client's key request, received by any node, into a request to the Raft group of the
 * partition that owns the key ({@link RoutedRequest}), and the group's answer into what the
 * client sees.
 */
public final class KeyGateway {
    private static final Logger LOG = LoggerFactory.getLogger(KeyGateway.class);
    private final StoreEngine engine;

    public KeyGateway(StoreEngine engine) {
        this.engine = engine;
    }

    public CompletableFuture<KeyWrite> put(String key, String value, String payloadText) {
        KeyRules.requireValidKey(key);
        KeyRules.requireValidValue(value);
        int slot = KeySlots.slotOf(key);
        PartitionCommand.Put put = new PartitionCommand.Put(slot, key, value);
        return RoutedRequest.run(engine, state -> {
            Partition owner = state.view().ownerOfKey(key);
            return engine.partitions().write(engine.partitionGroup(owner), put).thenApply(reply -> switch (reply.status()) {
                case CREATED, UPDATED -> new RoutedRequest.Step.Done<>(new KeyWrite(
                        reply.status() == WriteReply.Status.CREATED, owner.id(),
                        encode(seen(payloadText, state).withApplied(owner.group(), reply.index()), state),
                        reply.stored().timestampSeconds()));
                case MOVING -> new RoutedRequest.Step.Retry<>(false);
                case WRONG_OWNER -> new RoutedRequest.Step.Retry<>(true);
            });
        });
    }

    public CompletableFuture<KeyRead> get(String key, String payloadText) {
        KeyRules.requireValidKey(key);
        int slot = KeySlots.slotOf(key);
        return RoutedRequest.run(engine, state -> {
            Partition owner = state.view().ownerOfKey(key);
            CausalPayload seen = seen(payloadText, state);
            PartitionQuery.Get query = new PartitionQuery.Get(slot, key, seen.hintsOf(owner.group()));
            return engine.partitions().read(engine.partitionGroup(owner), query).thenApply(reply -> switch (reply.status()) {
                case FOUND -> new RoutedRequest.Step.Done<>(new KeyRead(reply.value().value(), owner.id(),
                        encode(seen.withApplied(owner.group(), reply.appliedIndex()), state),
                        reply.value().timestampSeconds()));
                case NOT_FOUND -> throw new KvsException(ErrorCode.KEY_NOT_FOUND);
                case WRONG_OWNER -> new RoutedRequest.Step.Retry<>(true);
                case NOT_CAUGHT_UP -> {
                    LOG.info("read of {} refused: partition {} has not caught up with the client's payload", key, owner.id());
                    throw new KvsException(ErrorCode.UNAVAILABLE);
                }
            });
        });
    }

    private static CausalPayload seen(String payloadText, ClusterState state) {
        return CausalPayload.decode(payloadText, state.tag());
    }

    /** Payload entries of groups no longer in the view are dropped: their successors hold their data. */
    private static String encode(CausalPayload payload, ClusterState state) {
        Set<Integer> live = state.view().partitions().stream().map(Partition::group).collect(Collectors.toSet());
        return payload.retainGroups(live).encode(state.tag());
    }
}
