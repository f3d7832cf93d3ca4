package io.kvs.raft.engine;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.MergeRule;
import io.kvs.core.causal.VersionedValue;
import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.View;
import io.kvs.raft.hint.HintPage;
import io.kvs.raft.hint.HintStore;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.HintedWrite;
import io.kvs.raft.partition.Outcome;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.PartitionStateMachine.Access;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.server.GroupFences;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.BitSet;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * This node's own replica of one partition group, as the rest of the node uses it: in degraded
 * mode (CONTRACT.md §4: the group has no majority in reach) it answers alone, reading its
 * applied state together with the writes this node holds as hints and accepting writes as
 * hints; for a view change it exports its pages, seals its hints and fences itself out of the
 * group. Made by {@link StoreEngine#replica} for one request or step; it holds no state of its
 * own, so it is never closed.
 *
 * <p>Degraded answers honour the client's causal payload: the replica must have applied the
 * group's log as far as the client has seen it, and every hinted write the client has seen;
 * otherwise it is NOT_CAUGHT_UP and the caller tries another replica.
 */
public final class LocalReplica {
    private static final Logger LOG = LoggerFactory.getLogger(LocalReplica.class);
    private final String self;
    private final int group;
    /** The group's id in this node's cluster, null while the node is in none. */
    private final RaftGroupId groupId;
    /** The replica's Raft division, null if this node does not host the group. */
    private final RaftServer.Division division;
    private final GroupFences fences;
    private final HintStore hints;
    private final View view;
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
    LocalReplica(String self, int group, RaftGroupId groupId, RaftServer.Division division, GroupFences fences,
                 HintStore hints, View view, BooleanSupplier diskHasRoom) {
        this.self = self;
        this.group = group;
        this.groupId = groupId;
        this.division = division;
        this.fences = fences;
        this.hints = hints;
        this.view = view;
        this.diskHasRoom = diskHasRoom;
    }

    /** The replica's state machine, null if it has none here or none open yet (a replica Ratis is restarting). */
    private PartitionStateMachine machine() {
        return division != null && division.getStateMachine() instanceof PartitionStateMachine machine
                && machine.isOpen() ? machine : null;
    }

    private boolean ownedElsewhere(int slot) {
        return view != null && view.partition(view.slots().ownerOf(slot)).group() != group;
    }

    /**
     * A request to one replica alone (its group is the replica's).
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
    public record Request(int slot, String key, String value, boolean delete, long writeId, Seen seen,
                          CausalPayload deps, long notAfterMillis) {
    }

    /** A read in degraded mode: the replica's applied value merged with this node's hinted writes. */
    public Answer degradedRead(Request request) {
        String key = request.key();
        PartitionStateMachine replica = machine();
        Outcome refused = refusal(request, replica, Access.READ);
        if (refused != null) {
            return Answer.of(refused);
        }
        VersionedValue value = knownValue(replica, key);
        boolean live = VersionedValue.isLive(value);
        return new Answer(live ? Outcome.FOUND : Outcome.NOT_FOUND, live ? value : null, replica.appliedIndex(),
                hints.hintIdOf(group, key));
    }

    /**
     * A write in degraded mode: accepts it (or a delete: a tombstone) as a hint: on disk before this returns, entering
     * the group's log once it has a majority. A delete of a key this replica knows no value of is
     * NOT_FOUND, and nothing is recorded. Refused as LATE after {@code notAfterMillis} (wall clock; 0: no limit), and as
     * MOVING while a view change moves its slot (the group has frozen it, or the change has
     * collected this node's hints for it).
     */
    public Answer degradedWrite(Request request) {
        int slot = request.slot();
        String key = request.key();
        PartitionStateMachine replica = machine();
        Outcome refused = refusal(request, replica, Access.WRITE);
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
        VersionedValue known = knownValue(replica, key);
        boolean live = VersionedValue.isLive(known);
        if (request.delete() && !live) {
            return new Answer(Outcome.NOT_FOUND, null, replica.appliedIndex(), hints.hintIdOf(group, key));
        }
        Optional<HintedWrite> accepted;
        try {
            accepted = hints.accept(group, slot, key, request.delete() ? null : request.value(), known, now,
                    request.writeId(), request.deps(), view == null ? 0 : view.epoch());
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
     * What this node knows of {@code key}: the replica's value merged with this node's pending
     * hint for it. The hint is read first: it is dropped only once the replica has applied it, so
     * one of the two reads holds it; read the other way round, a hint applied and dropped between
     * the reads is in neither, and an older value is served.
     */
    private VersionedValue knownValue(PartitionStateMachine replica, String key) {
        VersionedValue pending = hints.overlay(group, key);
        return MergeRule.merge(replica.get(key), pending);
    }

    /**
     * A page of this replica, unapplied log entries included ({@link ReplicaExport}): the source
     * of a group rebuilt from a survivor.
     */
    public ExportPage export(PartitionQuery.Export query) throws IOException {
        if (division == null) {
            throw new KvsException(ErrorCode.UNAVAILABLE, self + " holds no replica of group " + group);
        }
        return ReplicaExport.page(division, query);
    }

    /**
     * Seals {@code slots} on this node for the view change to epoch {@code untilEpoch}, and
     * returns a page of the hints it holds for them (see {@link HintStore#seal}).
     */
    public HintPage sealHints(BitSet slots, long untilEpoch, long afterId, int maxBytes) {
        return hints.seal(group, slots, untilEpoch, afterId, maxBytes);
    }

    /**
     * Fences this node's replica out of the group until its view reaches {@code untilEpoch}
     * ({@link GroupFences}); durable when it returns. Nothing to do once the change is
     * committed here: nothing can be moved from the group any more.
     */
    public void fence(long untilEpoch) throws IOException {
        if (groupId == null) {
            throw new KvsException(ErrorCode.UNAVAILABLE, self + " is in no cluster");
        }
        if (view != null && view.epoch() >= untilEpoch) {
            return;
        }
        fences.fence(groupId, untilEpoch);
    }

    /**
     * Why this replica refuses a request now, or null: no replica here, the replica's own check of the slot
     * ({@link PartitionStateMachine#refusal}), the slot owned elsewhere by this node's view, or a
     * client that has seen more of the group than the replica holds (its hints included).
     */
    private Outcome refusal(Request request, PartitionStateMachine replica, Access access) {
        if (replica == null) {
            return Outcome.NO_REPLICA;
        }
        if (ownedElsewhere(request.slot())) {
            return Outcome.WRONG_OWNER;
        }
        // The hints the client has seen are checked below, this node's own against its hint store.
        Outcome refused = replica.refusal(request.slot(), access, Map.of());
        if (refused != null) {
            return refused;
        }
        return hasSeen(replica, request.seen()) ? null : Outcome.NOT_CAUGHT_UP;
    }

    private boolean hasSeen(PartitionStateMachine replica, Seen seen) {
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
