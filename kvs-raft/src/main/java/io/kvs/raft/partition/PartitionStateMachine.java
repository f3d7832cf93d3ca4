package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;
import io.kvs.raft.statemachine.SnapshottingStateMachine;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The state machine of one partition group: applies client writes to the partition's
 * {@link PartitionStore} and answers reads from it.
 *
 * <p>The leader stamps each entry with its clock and identity before it enters the log, so
 * every replica computes the same timestamp and origin when it applies the entry.
 */
public final class PartitionStateMachine extends SnapshottingStateMachine {
    private final String self;
    private final LongSupplier clock;
    private final PartitionStore store = new PartitionStore();

    /**
     * @param self  this node's identity, recorded as the origin of the writes it leads
     * @param clock wall-clock milliseconds
     */
    public PartitionStateMachine(String self, LongSupplier clock) {
        this.self = self;
        this.clock = clock;
    }

    @Override
    public TransactionContext startTransaction(RaftClientRequest request) {
        ByteString stamped = request.getMessage().getContent()
                .concat(ByteString.copyFrom(PartitionCodec.stamp(new PartitionCodec.Stamp(clock.getAsLong(), self))));
        return TransactionContext.newBuilder()
                .setStateMachine(this)
                .setClientRequest(request)
                .setLogData(stamped)
                .build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        PartitionCodec.StampedCommand stamped =
                PartitionCodec.decodeEntry(entry.getStateMachineLogEntry().getLogData().toByteArray());
        WriteReply reply = apply(stamped, entry.getIndex());
        updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(PartitionCodec.encode(reply))));
    }

    private WriteReply apply(PartitionCodec.StampedCommand stamped, long index) {
        if (stamped.command() instanceof PartitionCommand.Put put) {
            if (store.isDisowned(put.slot())) {
                return new WriteReply(WriteReply.Status.WRONG_OWNER, index, null);
            }
            if (store.isFrozen(put.slot())) {
                return new WriteReply(WriteReply.Status.MOVING, index, null);
            }
            PartitionStore.WriteOutcome outcome =
                    store.put(put.key(), put.value(), stamped.stamp().millis(), stamped.stamp().origin());
            return new WriteReply(outcome.created() ? WriteReply.Status.CREATED : WriteReply.Status.UPDATED,
                    index, outcome.stored());
        }
        throw new IllegalStateException("unhandled command " + stamped.command());
    }

    @Override
    public CompletableFuture<Message> query(Message request) {
        ReadReply reply = read(PartitionCodec.decodeQuery(request.getContent().toByteArray()));
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(PartitionCodec.encode(reply))));
    }

    /** Reads from this replica's applied state, refusing when it has not applied what the client has seen. */
    public ReadReply read(PartitionQuery query) {
        long applied = getLastAppliedTermIndex().getIndex();
        if (store.isDisowned(query.slot())) {
            return new ReadReply(ReadReply.Status.WRONG_OWNER, applied, null);
        }
        for (Map.Entry<String, Long> hint : query.requiredHints().entrySet()) {
            if (store.appliedHint(hint.getKey()) < hint.getValue()) {
                return new ReadReply(ReadReply.Status.NOT_CAUGHT_UP, applied, null);
            }
        }
        VersionedValue value = store.get(query.key());
        return new ReadReply(value == null ? ReadReply.Status.NOT_FOUND : ReadReply.Status.FOUND, applied, value);
    }

    public int size() {
        return store.size();
    }

    @Override
    protected void writeState(DataOutputStream out) throws IOException {
        store.writeTo(out);
    }

    @Override
    protected void readState(DataInputStream in) throws IOException {
        store.readFrom(in);
    }

    @Override
    protected void clearState() {
        store.clear();
    }
}
