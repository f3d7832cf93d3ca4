package io.kvs.raft.engine;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.MergeRule;
import io.kvs.core.causal.VersionedValue;
import io.kvs.core.view.View;
import io.kvs.raft.hint.HintStore;
import io.kvs.raft.partition.HintedWrite;
import io.kvs.raft.partition.PartitionStateMachine;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * This node's own replicas, used alone when their group has no majority: reads from the applied
 * state together with the writes this node holds as hints, and writes accepted as hints.
 *
 * <p>Both honour the client's causal payload: the replica must have applied the group's log as
 * far as the client has seen it, and every hinted write the client has seen; otherwise it is
 * NOT_CAUGHT_UP and the caller tries another replica.
 */
public final class LocalReplicas {
    private final String self;
    private final HintStore hints;
    private final IntFunction<Optional<PartitionStateMachine>> replicas;
    private final Supplier<View> view;

    /** What the client has seen in one group: the log index, and hint ids by node. */
    public record Seen(long appliedIndex, Map<String, Long> hints) {
    }

    /** LATE: a write that arrived after its sender's deadline, refused (the sender tries elsewhere). */
    public enum Status { FOUND, NOT_FOUND, CREATED, UPDATED, NOT_CAUGHT_UP, MOVING, WRONG_OWNER, NO_REPLICA, LATE }

    /**
     * The answer of a replica on its own.
     *
     * @param value        the value read or written, null if none
     * @param appliedIndex the replica's applied index: a position the client has now seen
     * @param hintId       the id of the hint that holds the value (this node's), 0 if none
     */
    public record Answer(Status status, VersionedValue value, long appliedIndex, long hintId) {
        static Answer of(Status status) {
            return new Answer(status, null, 0, 0);
        }
    }

    /**
     * @param view the view this node routes by (null while it knows none): a replica of a group
     *             that gave a slot away may not have applied that yet
     */
    LocalReplicas(String self, HintStore hints, IntFunction<Optional<PartitionStateMachine>> replicas,
                  Supplier<View> view) {
        this.self = self;
        this.hints = hints;
        this.replicas = replicas;
        this.view = view;
    }

    private static boolean ownedElsewhere(View view, int group, int slot) {
        return view != null && view.partition(view.slots().ownerOf(slot)).group() != group;
    }

    public Answer read(int group, int slot, String key, Seen seen) {
        PartitionStateMachine replica = replicas.apply(group).orElse(null);
        if (replica == null) {
            return Answer.of(Status.NO_REPLICA);
        }
        if (replica.isDisowned(slot) || ownedElsewhere(view.get(), group, slot)) {
            return Answer.of(Status.WRONG_OWNER);
        }
        if (!hasSeen(group, replica, seen)) {
            return Answer.of(Status.NOT_CAUGHT_UP);
        }
        VersionedValue value = MergeRule.merge(replica.get(key), hints.overlay(group, key));
        return new Answer(value == null ? Status.NOT_FOUND : Status.FOUND, value, replica.appliedIndex(),
                hints.hintIdOf(group, key));
    }

    /**
     * Accepts a write as a hint: on disk before this returns, entering the group's log once it has
     * a majority. Refused as LATE after {@code notAfterMillis} (wall clock; 0: no limit), and as
     * MOVING while a view change moves its slot (the group has frozen it, or the change has
     * collected this node's hints for it).
     */
    public Answer write(int group, int slot, String key, String value, long writeId, Seen seen, CausalPayload deps,
                        long notAfterMillis) throws IOException {
        PartitionStateMachine replica = replicas.apply(group).orElse(null);
        if (replica == null) {
            return Answer.of(Status.NO_REPLICA);
        }
        View current = view.get();
        if (replica.isDisowned(slot) || ownedElsewhere(current, group, slot)) {
            return Answer.of(Status.WRONG_OWNER);
        }
        if (replica.isFrozen(slot)) {
            return Answer.of(Status.MOVING);
        }
        if (!hasSeen(group, replica, seen)) {
            return Answer.of(Status.NOT_CAUGHT_UP);
        }
        long now = System.currentTimeMillis();
        if (notAfterMillis > 0 && now > notAfterMillis) {
            return Answer.of(Status.LATE);
        }
        VersionedValue stored = replica.get(key);
        boolean created = stored == null && hints.overlay(group, key) == null;
        Optional<HintedWrite> accepted = hints.accept(group, slot, key, value, stored, now, writeId, deps,
                current == null ? 0 : current.epoch());
        if (accepted.isEmpty()) {
            return Answer.of(Status.MOVING);
        }
        HintedWrite hint = accepted.get();
        return new Answer(created ? Status.CREATED : Status.UPDATED, hint.value(), replica.appliedIndex(), hint.id());
    }

    private boolean hasSeen(int group, PartitionStateMachine replica, Seen seen) {
        if (replica.appliedIndex() < seen.appliedIndex()) {
            return false;
        }
        for (Map.Entry<String, Long> hint : seen.hints().entrySet()) {
            long reached = hint.getKey().equals(self) ? hints.highestIssued(group) : replica.appliedHint(hint.getKey());
            if (reached < hint.getValue()) {
                return false;
            }
        }
        return true;
    }
}
