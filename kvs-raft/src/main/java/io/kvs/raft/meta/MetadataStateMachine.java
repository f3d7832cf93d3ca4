package io.kvs.raft.meta;

import io.kvs.raft.statemachine.SnapshottingStateMachine;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.statemachine.TransactionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The state machine of the metadata group, which every node of the view is a member of: it
 * holds the {@link ClusterState} and tells its node whenever the state changes. Each new state
 * is snapshotted before its node hears of it, so a node restarted alone still knows its view.
 */
public final class MetadataStateMachine extends SnapshottingStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataStateMachine.class);

    private final Consumer<ClusterState> onChange;
    private volatile ClusterState state;

    /** @param onChange called with every new state, on the apply thread; it must not block */
    public MetadataStateMachine(Consumer<ClusterState> onChange) {
        this.onChange = onChange;
    }

    public ClusterState state() {
        return state;
    }

    /**
     * Refuses, before it enters the log, a command that cannot be read or applied: an entry in
     * the log is applied by every replica, so a malformed one must never get there.
     */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        try {
            ClusterStateTransitions.apply(state, MetaJson.decodeCommand(request.getMessage().getContent().toStringUtf8()));
        } catch (RuntimeException malformed) {
            throw new IOException("malformed metadata command: " + malformed.getMessage(), malformed);
        }
        return super.startTransaction(request);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        ClusterState next = applied(entry);
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        if (next != state) {
            state = next;
            LOG.info("metadata index {}: view epoch {}{}", entry.getIndex(), next.view().epoch(),
                    next.change() == null ? "" : ", change to epoch " + next.change().target().epoch()
                            + " " + next.change().phase());
            snapshotNow();
            onChange.accept(next);
        }
        return CompletableFuture.completedFuture(Message.valueOf(MetaJson.encode(state)));
    }

    /**
     * The state after the entry; the same state if the entry cannot be read or applied (one
     * that reached the log before commands were checked on their way in): skipped, on every
     * replica alike, rather than stopping the group.
     */
    private ClusterState applied(LogEntryProto entry) {
        try {
            return ClusterStateTransitions.apply(state,
                    MetaJson.decodeCommand(entry.getStateMachineLogEntry().getLogData().toStringUtf8()));
        } catch (RuntimeException malformed) {
            LOG.error("metadata index {}: skipped an entry that cannot be applied: {}", entry.getIndex(),
                    malformed.toString());
            return state;
        }
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        ClusterState current = state;
        return CompletableFuture.completedFuture(Message.valueOf(current == null ? "" : MetaJson.encode(current)));
    }

    @Override
    protected void writeState(DataOutputStream out) throws IOException {
        byte[] json = state == null ? new byte[0] : MetaJson.encode(state).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(json.length);
        out.write(json);
    }

    @Override
    protected void readState(DataInputStream in) throws IOException {
        byte[] json = new byte[in.readInt()];
        in.readFully(json);
        state = json.length == 0 ? null : MetaJson.decodeState(new String(json, java.nio.charset.StandardCharsets.UTF_8));
        if (state != null) {
            onChange.accept(state);
        }
    }

    @Override
    protected void clearState() {
        state = null;
    }
}
