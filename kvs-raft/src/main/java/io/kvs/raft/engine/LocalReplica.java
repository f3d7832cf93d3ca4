package io.kvs.raft.engine;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.MergeRule;
import io.kvs.core.causal.VersionedValue;
import io.kvs.core.view.View;
import io.kvs.raft.hint.HintStore;
import io.kvs.raft.partition.HintedWrite;
import io.kvs.raft.partition.Outcome;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.partition.PartitionStateMachine.Access;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * This node's own replicas in degraded mode (CONTRACT.md §4: their group has no majority in
 * reach), each used alone: reads from its applied state together with the writes this node
 * holds as hints, and writes accepted as hints.
 *
 * <p>Both honour the client's causal payload: the replica must have applied the group's log as
 * far as the client has seen it, and every hinted write the client has seen; otherwise it is
 * NOT_CAUGHT_UP and the caller tries another replica.
 */
public final class DegradedReplicas {
    private static final Logger LOG = LoggerFactory.getLogger(DegradedReplicas.class);
    private final String self;
    private final HintStore hints;
    private final IntFunction<Optional<PartitionStateMachine>> replicas;
    private final Supplier<View> view;
    private final BooleanSupplier diskHasRoom;

    /** What the client has seen in one group: the log index, and hint ids by node. */
    public record Seen(long appliedIndex, Map<String, Long> hints) {
    }

    /**
     * The answer of a replica on its own.
     *
     * @param value        the value read or written, null if none
     * @param appliedIndex the replica's applied index: a position the client has now seen
     * @param hintId       the id of the hint that holds the value (this node's), 0 if none
     */
    public record Answer(Outcome status, VersionedValue value, long appliedIndex, long hintId) {
        static Answer of(Outcome status) {
            return new Answer(status, null, 0, 0);
        }
    }

    /**
     * @param view the view this node routes by (null while it knows none): a replica of a group
     *             that gave a slot away may not have applied that yet
     */
    DegradedReplicas(String self, HintStore hints, IntFunction<Optional<PartitionStateMachine>> replicas,
                  Supplier<View> view, BooleanSupplier diskHasRoom) {
        this.self = self;
        this.hints = hints;
        this.replicas = replicas;
        this.view = view;
        this.diskHasRoom = diskHasRoom;
    }

    private static boolean ownedElsewhere(View view, int group, int slot) {
        return view != null && view.partition(view.slots().ownerOf(slot)).group() != group;
    }

    /**
     * A request to one replica alone.
     *
     * @param value          the value of a write; null for a read or a delete
     * @param delete         whether the write deletes the key
     * @param writeId        names the client's request (see {@code PartitionCommand.Put})
     * @param seen           what the client has seen of the group
     * @param deps           everything the client has seen, stored with a write
     * @param notAfterMillis wall-clock time after which the replica refuses a write (0: no
     *                       limit): its sender has given up on it by then, and may have placed
     *                       the write on another replica
     */
    public record Request(int group, int slot, String key, String value, boolean delete, long writeId, Seen seen,
                          CausalPayload deps, long notAfterMillis) {
    }

    public Answer read(Request request) {
        int group = request.group();
        String key = request.key();
        PartitionStateMachine replica = replicas.apply(group).orElse(null);
        Outcome refused = refusal(request, replica, view.get(), Access.READ);
        if (refused != null) {
            return Answer.of(refused);
        }
        VersionedValue value = MergeRule.merge(replica.get(key), hints.overlay(group, key));
        boolean live = VersionedValue.isLive(value);
        return new Answer(live ? Outcome.FOUND : Outcome.NOT_FOUND, live ? value : null, replica.appliedIndex(),
                hints.hintIdOf(group, key));
    }

    /**
     * Accepts a write (or a delete: a tombstone) as a hint: on disk before this returns, entering
     * the group's log once it has a majority. A delete of a key this replica knows no value of is
     * NOT_FOUND, and nothing is recorded. Refused as LATE after {@code notAfterMillis} (wall clock; 0: no limit), and as
     * MOVING while a view change moves its slot (the group has frozen it, or the change has
     * collected this node's hints for it).
     */
    public Answer write(Request request) {
        int group = request.group();
        int slot = request.slot();
        String key = request.key();
        PartitionStateMachine replica = replicas.apply(group).orElse(null);
        View current = view.get();
        Outcome refused = refusal(request, replica, current, Access.WRITE);
        if (refused != null) {
            return Answer.of(refused);
        }
        long now = System.currentTimeMillis();
        if (request.notAfterMillis() > 0 && now > request.notAfterMillis()) {
            return Answer.of(Outcome.LATE);
        }
        if (!diskHasRoom.getAsBoolean()) {
            return Answer.of(Outcome.NO_SPACE);
        }
        VersionedValue stored = replica.get(key);
        boolean live = VersionedValue.isLive(MergeRule.merge(stored, hints.overlay(group, key)));
        if (request.delete() && !live) {
            return new Answer(Outcome.NOT_FOUND, null, replica.appliedIndex(), hints.hintIdOf(group, key));
        }
        Optional<HintedWrite> accepted;
        try {
            accepted = hints.accept(group, slot, key, request.delete() ? null : request.value(), stored, now,
                    request.writeId(), request.deps(), current == null ? 0 : current.epoch());
        } catch (HintStore.BacklogFull e) {
            return Answer.of(Outcome.BUSY);
        } catch (IOException e) {
            // Nothing was acknowledged (the append was rolled back): most likely the disk is full.
            LOG.warn("a hinted write of group {} could not be written: {}", group, e.toString());
            return Answer.of(Outcome.NO_SPACE);
        }
        if (accepted.isEmpty()) {
            return Answer.of(Outcome.MOVING);
        }
        HintedWrite hint = accepted.get();
        return new Answer(live || request.delete() ? Outcome.UPDATED : Outcome.CREATED, hint.value(),
                replica.appliedIndex(), hint.id());
    }

    /**
     * Why this replica refuses a request now, or null: no replica here, the replica's own check of the slot
     * ({@link PartitionStateMachine#refusal}), the slot owned elsewhere by this node's view, or a
     * client that has seen more of the group than the replica holds (its hints included).
     */
    private Outcome refusal(Request request, PartitionStateMachine replica, View view, Access access) {
        if (replica == null) {
            return Outcome.NO_REPLICA;
        }
        if (ownedElsewhere(view, request.group(), request.slot())) {
            return Outcome.WRONG_OWNER;
        }
        // The hints the client has seen are checked below, this node's own against its hint store.
        Outcome refused = replica.refusal(request.slot(), access, Map.of());
        if (refused != null) {
            return refused;
        }
        return hasSeen(request.group(), replica, request.seen()) ? null : Outcome.NOT_CAUGHT_UP;
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
