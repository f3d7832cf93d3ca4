package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;
import io.kvs.raft.statemachine.GroupStateMachine;
import io.kvs.raft.storage.StoreMemory;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The state machine of one partition group: applies client writes to the partition's
 * {@link PartitionStore}, in the group's storage directory, and answers reads from it.
 *
 * <p>The leader stamps each entry with its clock and identity before it enters the log, so
 * every replica computes the same timestamp and origin when it applies the entry.
 *
 * <p>The store holds the state after every entry it applied, and its snapshots are checkpoints
 * of it ({@link CheckpointSnapshots}): on start the replica opens its store and takes a
 * checkpoint of what it holds if it has none of that index yet, so Ratis resumes from there,
 * without reading the data or replaying the log it already applied.
 *
 * <p>Ratis gives one object a group's whole life (transactions, applying, queries, snapshots),
 * which is why this class is larger than most; the data itself is {@link PartitionStore}'s, the
 * pages of a move {@link PartitionExports}' and the checkpoints {@link CheckpointSnapshots}'.
 */
public final class PartitionStateMachine extends GroupStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionStateMachine.class);
    /** The store's directory in the group's storage directory (Ratis removes both with the group). */
    static final String STORE_DIR = "kvs-store";
    private static final long STORE_RETRY_MILLIS = 1_000;

    private final String self;
    private final LongSupplier clock;
    private final BooleanSupplier diskHasRoom;
    private final BooleanSupplier fenced;
    private final StoreMemory memory;
    private final CheckpointSnapshots snapshots = new CheckpointSnapshots();
    private volatile PartitionStore store;
    private volatile PartitionExports exports;
    /** When this replica last applied a log entry ({@link System#nanoTime}); 0 before its first. */
    private volatile long appliedAtNanos;
    private final LeaderAbsence leaderAbsence = new LeaderAbsence();

    /** A replica whose disk always has room (for tests). */
    public PartitionStateMachine(String self, LongSupplier clock, StoreMemory memory) {
        this(self, clock, () -> true, memory);
    }

    /**
     * @param self        this node's identity, recorded as the origin of the writes it leads
     * @param clock       wall-clock milliseconds
     * @param diskHasRoom whether this node's disk has room for more data: while it has not, the
     *                    replica, as leader, takes no command that adds data into the log
     * @param memory      the node's store memory, which this replica's store shares
     */
    public PartitionStateMachine(String self, LongSupplier clock, BooleanSupplier diskHasRoom, StoreMemory memory) {
        this(self, clock, diskHasRoom, () -> false, memory);
    }

    /**
     * @param fenced whether this replica is fenced out of its group for a view change that
     *               copies the group's data without freezing it: while it is, the replica, as
     *               leader, takes no command into the log
     */
    public PartitionStateMachine(String self, LongSupplier clock, BooleanSupplier diskHasRoom, BooleanSupplier fenced,
                                 StoreMemory memory) {
        this.self = self;
        this.clock = clock;
        this.diskHasRoom = diskHasRoom;
        this.fenced = fenced;
        this.memory = memory;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        snapshots.init(raftStorage);
        Path dir = raftStorage.getStorageDir().getRoot().toPath().resolve(STORE_DIR);
        getLifeCycle().startAndTransition(() -> openStore(dir), IOException.class);
    }

    private void openStore(Path dir) throws IOException {
        PartitionStore opened = PartitionStore.open(dir, memory);
        store = opened;
        exports = new PartitionExports(opened);
        Optional<CheckpointSnapshots.Snapshot> newest = snapshots.newest();
        if (newest.isPresent() && (opened.applied() == null || opened.applied().compareTo(newest.get().termIndex()) < 0)) {
            // Behind its newest snapshot: an install whose files arrived before a crash, or a
            // replica written by an earlier version.
            restore(newest.get());
        }
        TermIndex applied = opened.applied();
        if (applied != null) {
            try {
                snapshots.take(opened, applied);
            } catch (IOException e) {
                // Ratis then replays the log from the last checkpoint; the store skips what it has.
                LOG.warn("{}: no checkpoint of the store at {} ({}); the log is replayed from the last one",
                        getGroupId(), applied, e.getMessage());
            }
            setLastAppliedTermIndex(applied);
            LOG.info("{} opened its store at {} ({} keys)", getGroupId(), applied, opened.size());
        }
    }

    /** Takes the state of the snapshot a leader just installed; Ratis applies the log from its index. */
    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().startAndTransition(() -> {
            CheckpointSnapshots.Snapshot installed = snapshots.newest()
                    .orElseThrow(() -> new IOException("no snapshot in the state machine directory after an install"));
            restore(installed);
            snapshots.take(store, installed.termIndex());
            setLastAppliedTermIndex(installed.termIndex());
            LOG.info("{} took the snapshot installed at {} ({} keys)", getGroupId(), installed.termIndex(), store.size());
        }, IOException.class);
        snapshotInstalled();
    }

    private void restore(CheckpointSnapshots.Snapshot snapshot) throws IOException {
        if (snapshot.legacy()) {
            LegacySnapshot.importInto(store, snapshot.path(), snapshot.termIndex());
        } else {
            store.replaceWith(snapshot.path());
        }
        snapshots.refresh();
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshots;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return snapshots.getLatestSnapshot();
    }

    /** A checkpoint of the store at the last entry it applied: about one flush, whatever the data's size. */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex applied = store.applied();
        if (applied == null) {
            return -1;
        }
        if (snapshots.take(store, applied)) {
            LOG.info("{} checkpoint at {}", getGroupId(), applied);
        }
        return applied.getIndex();
    }

    /**
     * Ratis tells of each entry it applies without the state machine (a configuration change);
     * one the store already reflects, replayed after a restart whose checkpoint could not be
     * taken, changes nothing.
     */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || index > last.getIndex()) {
            super.notifyTermIndexUpdated(term, index);
        }
    }

    @Override
    public void close() throws IOException {
        super.close();
        PartitionStore open = store;
        if (open != null) {
            open.close();
        }
    }

    /**
     * Stamps the entry with the leader's clock and identity, and with the writes that reached the
     * leader after their gateway gave up on them: those are not taken (they must not overtake the
     * client's later writes), however the entry is replayed.
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        long now = clock.getAsLong();
        ByteString content = request.getMessage().getContent();
        PartitionCommand command;
        try {
            command = PartitionCodec.decodeCommand(content);
        } catch (RuntimeException malformed) {
            // Refused before it enters the log: every replica would have to apply it.
            throw new IOException("malformed partition command: " + malformed.getMessage(), malformed);
        }
        if (fenced.getAsBoolean()) {
            throw new IOException("this replica is fenced while a view change moves the group's data");
        }
        boolean addsData = command instanceof PartitionCommand.Puts || command instanceof PartitionCommand.ApplyHints
                || command instanceof PartitionCommand.Import;
        if (addsData && !diskHasRoom.getAsBoolean()) {
            throw new IOException("this node's disk is full: no new data until there is room");
        }
        if (command instanceof PartitionCommand.Import moved) {
            checkValues(moved);
        }
        BitSet late = new BitSet();
        if (command instanceof PartitionCommand.Puts puts) {
            for (int i = 0; i < puts.puts().size(); i++) {
                long notAfter = puts.puts().get(i).notAfterMillis();
                if (notAfter != 0 && now > notAfter) {
                    late.set(i);
                }
            }
        }
        PartitionCodec.Stamp stamp = new PartitionCodec.Stamp(now, self, late);
        return TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request)
                .setLogData(content.concat(ByteString.copyFrom(PartitionCodec.stamp(stamp))))
                // The leader applies what it decoded here; followers decode the entry.
                .setStateMachineContext(new PartitionCodec.StampedCommand(command, stamp))
                .build();
    }

    /**
     * Moved values travel encoded and are stored as they came ({@link EncodedValue}): the leader
     * decodes each once, so that one that does not decode never enters the log.
     */
    private static void checkValues(PartitionCommand.Import moved) throws IOException {
        try {
            moved.keys().forEach(k -> k.value().decode());
        } catch (RuntimeException malformed) {
            throw new IOException("malformed moved value: " + malformed.getMessage(), malformed);
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        PartitionCodec.StampedCommand stamped = trx.getStateMachineContext() instanceof PartitionCodec.StampedCommand decoded
                ? decoded : PartitionCodec.decodeEntry(entry.getStateMachineLogEntry().getLogData());
        TermIndex done = store.applied();
        if (done != null && entry.getIndex() <= done.getIndex()) {
            // Replayed after a restart whose checkpoint could not be taken: the store has it already.
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(
                    PartitionCodec.encodeWriteReplies(alreadyApplied(stamped.command(), entry.getIndex())))));
        }
        store.startEntry(entry.getIndex());
        List<WriteReply> replies = apply(stamped, entry.getIndex());
        commitDurably(entry.getTerm(), entry.getIndex());
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        appliedAtNanos = System.nanoTime();
        return CompletableFuture.completedFuture(Message.valueOf(
                ByteString.copyFrom(PartitionCodec.encodeWriteReplies(replies))));
    }

    /**
     * Writes the entry's changes to the store. While they cannot be written (a full disk), the
     * entry waits, and with it the group on this replica; reads go on from what the store holds.
     * Once the disk has room the store is reopened (RocksDB takes no writes after a failed one
     * until then) and the same changes are written again.
     */
    private void commitDurably(long term, long index) {
        IOException failure = null;
        while (true) {
            try {
                store.commit(term, index);
                if (failure != null) {
                    LOG.info("{}: the store is written again, from entry {}", getGroupId(), index);
                }
                return;
            } catch (IOException e) {
                if (failure == null) {
                    LOG.warn("{}: entry {} could not be written to the store ({}); retrying every second",
                            getGroupId(), index, e.getMessage());
                }
                failure = e;
            }
            if (getLifeCycleState().isClosingOrClosed()) {
                throw new UncheckedIOException(failure);
            }
            try {
                Thread.sleep(STORE_RETRY_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(failure);
            }
            if (diskHasRoom.getAsBoolean()) {
                try {
                    store.reopen();
                } catch (IOException stillFull) {
                    // tried again in a second
                }
            }
        }
    }

    private static List<WriteReply> alreadyApplied(PartitionCommand command, long index) {
        int count = command instanceof PartitionCommand.Puts puts ? puts.puts().size() : 1;
        return java.util.Collections.nCopies(count, WriteReply.withoutValue(Outcome.UPDATED, index));
    }

    /** Applies an entry: one reply per client write of a {@link PartitionCommand.Puts}, else one. */
    private List<WriteReply> apply(PartitionCodec.StampedCommand stamped, long index) {
        PartitionCommand command = stamped.command();
        if (command instanceof PartitionCommand.Puts puts) {
            List<WriteReply> replies = new ArrayList<>(puts.puts().size());
            for (int i = 0; i < puts.puts().size(); i++) {
                replies.add(stamped.stamp().late().get(i)
                        ? WriteReply.withoutValue(Outcome.LATE, index)
                        : apply(puts.puts().get(i), stamped.stamp(), index));
            }
            return replies;
        }
        if (command instanceof PartitionCommand.ApplyHints hints) {
            return List.of(applyHints(hints, index));
        }
        if (command instanceof PartitionCommand.Freeze freeze) {
            store.freeze(freeze.slots());
        } else if (command instanceof PartitionCommand.Import moved) {
            moved.keys().forEach(k -> store.importMoved(k.key(), k.value()));
        } else if (command instanceof PartitionCommand.Disown disown) {
            store.disown(disown.slots());
        } else if (command instanceof PartitionCommand.Adopt adopt) {
            store.adopt(adopt.slots());
        } else if (command instanceof PartitionCommand.Purge purge) {
            int purged = store.purge(purge.appliedEverywhere(), purge.deletedBeforeMillis(), purge.maxKeys());
            if (purged > 0) {
                LOG.debug("{} purged {} tombstones at {}", getGroupId(), purged, index);
            }
        } else {
            throw new IllegalStateException("unhandled command " + command);
        }
        return List.of(WriteReply.withoutValue(Outcome.UPDATED, index));
    }

    private WriteReply apply(PartitionCommand.Put put, PartitionCodec.Stamp stamp, long index) {
        Outcome refused = refusal(put.slot(), Access.WRITE, put.requiredHints());
        if (refused != null) {
            return WriteReply.withoutValue(refused, index);
        }
        if (!store.firstTimeApplied(put.writeId())) {
            VersionedValue stored = store.current(put.key());
            return new WriteReply(Outcome.UPDATED, index, stored == null ? 0 : stored.timestampMillis());
        }
        if (put.value() == null && !VersionedValue.isLive(store.current(put.key()))) {
            return WriteReply.withoutValue(Outcome.NOT_FOUND, index); // nothing to delete
        }
        PartitionStore.WriteOutcome outcome =
                store.put(put.key(), put.value(), stamp.millis(), stamp.origin(), put.deps());
        return new WriteReply(outcome.created() ? Outcome.CREATED : Outcome.UPDATED,
                index, outcome.stored().timestampMillis());
    }

    /**
     * A node's hinted writes enter the log: all of them, or (when one's slot has moved or is
     * moving) none, so the node sends them again where they now belong.
     */
    private WriteReply applyHints(PartitionCommand.ApplyHints hints, long index) {
        for (HintedWrite write : hints.writes()) {
            Outcome refused = refusal(write.slot(), Access.WRITE, Map.of());
            if (refused != null) {
                return WriteReply.withoutValue(refused, index);
            }
        }
        for (HintedWrite write : hints.writes()) {
            if (store.firstTimeApplied(write.writeId())) {
                store.merge(write.key(), write.value());
            }
        }
        if (hints.upTo() > 0) {
            store.markHintApplied(hints.origin(), hints.upTo());
        }
        return WriteReply.withoutValue(Outcome.UPDATED, index);
    }

    /** Whether a request reads or writes a slot: a slot being moved may be read, not written. */
    public enum Access { READ, WRITE }

    /**
     * Why this replica refuses a request for {@code slot} now, or null if it takes it: the slot
     * was given away (WRONG_OWNER), is being moved and this is a write (MOVING), or the replica
     * has not applied the hinted writes the client has seen ({@code requiredHints}, node to id:
     * NOT_CAUGHT_UP). The one check of a slot's state, for the group and for this replica alone.
     */
    public Outcome refusal(int slot, Access access, Map<String, Long> requiredHints) {
        if (store.isDisowned(slot)) {
            return Outcome.WRONG_OWNER;
        }
        if (access == Access.WRITE && store.isFrozen(slot)) {
            return Outcome.MOVING;
        }
        return hasApplied(requiredHints) ? null : Outcome.NOT_CAUGHT_UP;
    }

    private boolean hasApplied(Map<String, Long> hints) {
        for (Map.Entry<String, Long> hint : hints.entrySet()) {
            if (store.appliedHint(hint.getKey()) < hint.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** How far this replica has applied {@code node}'s hinted writes. */
    public long appliedHint(String node) {
        return store.appliedHint(node);
    }

    /** The value this replica has applied for {@code key} (a tombstone if it was deleted), or null. */
    public VersionedValue get(String key) {
        return store.get(key);
    }

    public long appliedIndex() {
        return getLastAppliedTermIndex().getIndex();
    }

    /** Whether the replica's store is open: not yet while Ratis starts (or restarts) the replica. */
    public boolean isOpen() {
        return store != null;
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        super.notifyLeaderChanged(member, newLeader);
        leaderAbsence.leaderChanged();
    }

    /**
     * How long this replica has been without a leader ({@link LeaderAbsence}): {@code leaderKnown}
     * is whether its division knows one now.
     */
    public Duration withoutLeaderFor(boolean leaderKnown) {
        return leaderAbsence.lasting(leaderKnown);
    }

    /**
     * Whether this replica applied a log entry within the last {@code within}: its group
     * committed one then, so it had a leader and a majority.
     */
    public boolean appliedWithin(Duration within) {
        long at = appliedAtNanos;
        return at != 0 && System.nanoTime() - at < within.toNanos();
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        PartitionQuery query;
        try {
            query = PartitionCodec.decodeQuery(request.getContent().toByteArray());
        } catch (RuntimeException malformed) {
            return CompletableFuture.failedFuture(new IOException("malformed partition query", malformed));
        }
        byte[] reply;
        if (query instanceof PartitionQuery.Gets gets) {
            reply = PartitionCodec.encodeReadReplies(gets.gets().stream().map(this::read).toList());
        } else {
            reply = PartitionCodec.encode(export((PartitionQuery.Export) query));
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(reply)));
    }

    /**
     * A page of the keys in the export's slots, read from this replica's applied state. The slots
     * are frozen before they are exported, so pages taken one after another see the same keys.
     */
    public ExportPage export(PartitionQuery.Export export) {
        return exports.page(export);
    }

    /**
     * The values the given log entries (this replica's log beyond its applied index: entries it
     * holds but has not applied, possibly committed by a leader that is gone) would produce if
     * applied now, without changing anything. A group rebuilt from this replica receives them.
     */
    public List<PartitionCommand.MovedKey> valuesOfUnappliedEntries(List<LogEntryProto> entries) {
        return exports.valuesOf(entries);
    }

    /** Reads from this replica's applied state, refusing when it has not applied what the client has seen. */
    public ReadReply read(PartitionQuery.Get query) {
        long applied = getLastAppliedTermIndex().getIndex();
        Outcome refused = refusal(query.slot(), Access.READ, query.requiredHints());
        if (refused != null) {
            return new ReadReply(refused, applied, null);
        }
        VersionedValue value = store.get(query.key());
        return VersionedValue.isLive(value) ? new ReadReply(Outcome.FOUND, applied, value)
                : new ReadReply(Outcome.NOT_FOUND, applied, null);
    }

    /** The keys this replica holds. */
    public long size() {
        PartitionStore open = store;
        return open == null ? 0 : open.size();
    }

    /** The tombstones of deleted keys this replica holds until they are purged. */
    public long tombstones() {
        PartitionStore open = store;
        return open == null ? 0 : open.tombstones();
    }

    /** Whether a purge with these bounds would drop one of this replica's tombstones (see {@link PartitionCommand.Purge}). */
    public boolean hasPurgeableTombstones(long appliedEverywhere, long deletedBeforeMillis) {
        PartitionStore open = store;
        return open != null && open.hasPurgeable(appliedEverywhere, deletedBeforeMillis);
    }

    /** The bytes this replica's store takes on disk and in its write buffers. */
    public long storeBytes() {
        PartitionStore open = store;
        return open == null ? 0 : open.bytes();
    }
}
