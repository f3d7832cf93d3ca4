package io.kvs.raft.client;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.Outcome;
import io.kvs.raft.partition.PartitionCodec;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.ReadReply;
import io.kvs.raft.partition.WriteReply;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Sends writes and linearizable reads to a partition group's leader. Client writes and reads
 * are batched ({@link RequestBatcher}): concurrent writes to a group share one log entry, one
 * replication round and one fsync; concurrent reads share one ReadIndex. When this node leads
 * the group, a batch goes to its own server directly ({@link LocalLeader}), not through an RPC.
 * Another node's batch of writes is relayed to the leader ({@link LeaderRelay}) and joins the
 * leader's own next batch, so that a group takes one entry per round however many nodes write
 * to it; a batch the leader does not take goes through the group's Raft client instead.
 */
public final class PartitionClient {
    /**
     * Batches of one group in flight at once, from this node. One lets batches grow largest; the
     * group's log pipelines the batches of different nodes. Measured with 64 clients on three
     * nodes: one in flight beat two by a fifth in throughput and in p99.
     */
    private static final int MAX_IN_FLIGHT = 1;
    /** A batch out this long is stalled (an election, a lost leader): the next may go without it. */
    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final int MAX_STALLED = 8;
    private static final int MAX_BATCH_ITEMS = 256;
    /** A log entry stays around a MiB; a value of up to 1 MiB goes alone. */
    private static final int MAX_BATCH_BYTES = 1 << 20;
    /** Requests waiting for one group's next batch: far more than a second's worth is never useful. */
    private static final int MAX_WAITING = 20_000;
    /** And their size: a few batches of the largest values (a 256 MiB heap holds several groups' worth). */
    private static final long MAX_WAITING_BYTES = 8L << 20;

    private final GroupClients clients;
    private final LocalLeader localLeader;
    private final RaftPeerId self;
    private final LeaderRelay relay;
    private final RequestThreads requestThreads;
    private final RequestBatcher<PartitionCommand.Put, WriteReply> puts;
    private final RequestBatcher<PartitionQuery.Get, ReadReply> gets;
    /** Batches relayed to a leader that took them, and those it did not take (sent through a Raft client instead). */
    private final LongAdder relaysTaken = new LongAdder();
    private final LongAdder relaysNotTaken = new LongAdder();

    /**
     * @param self           this node's Raft server, which {@code localLeader} submits to
     * @param requestThreads where a local leader's reply is handled, off its apply thread
     */
    public PartitionClient(GroupClients clients, LocalLeader localLeader, RaftPeerId self, LeaderRelay relay,
                           RequestThreads requestThreads) {
        this.clients = clients;
        this.requestThreads = requestThreads;
        this.localLeader = localLeader;
        this.self = self;
        this.relay = relay;
        this.puts = new RequestBatcher<>((group, batch) -> sendPuts(group, new PartitionCommand.Puts(batch)),
                MAX_IN_FLIGHT, STALL_NANOS, MAX_STALLED, MAX_BATCH_ITEMS, MAX_BATCH_BYTES, PartitionCodec::sizeOf,
                PartitionCommand.Put::notAfterMillis, MAX_WAITING, MAX_WAITING_BYTES);
        this.gets = new RequestBatcher<>((group, batch) -> query(group, new PartitionQuery.Gets(batch))
                .thenApply(PartitionCodec::decodeReadReplies),
                MAX_IN_FLIGHT, STALL_NANOS, MAX_STALLED, MAX_BATCH_ITEMS, MAX_BATCH_BYTES, get -> get.key().length() + 64,
                get -> 0, MAX_WAITING, MAX_WAITING_BYTES);
    }

    /**
     * A client's write, committed through the group's log (with whatever other writes go along).
     * Past the write's deadline, if it has one, it no longer counts as load
     * ({@link #writesQueueBehindCommits}), and fails if it has not gone out yet: the leader would
     * refuse it as late.
     */
    public CompletableFuture<WriteReply> put(RaftGroup group, PartitionCommand.Put put) {
        return puts.submit(group, put);
    }

    /**
     * Writes another node relayed to this one as the group's leader: they join this node's next
     * batch for the group. One whose deadline passes while it waits here is answered late, as
     * the log would have answered it. Fails, UNAVAILABLE, if any of them fails otherwise (this
     * node lost the lead, the group its majority: expected, not an error of the node's; the
     * relaying node then sends the batch through a Raft client, and the writes that did enter
     * the log are applied once, by their ids).
     */
    public CompletableFuture<List<WriteReply>> putAll(RaftGroup group, List<PartitionCommand.Put> relayed) {
        List<CompletableFuture<WriteReply>> replies = puts.submitAll(group, relayed).stream()
                .map(reply -> reply.exceptionallyCompose(failure -> {
                    Throwable cause = Failures.causeOf(failure);
                    if (cause instanceof RequestBatcher.DeadlinePassed) {
                        return CompletableFuture.completedFuture(WriteReply.withoutValue(Outcome.LATE, 0));
                    }
                    return CompletableFuture.failedFuture(cause instanceof KvsException ? cause : new KvsException(
                            ErrorCode.UNAVAILABLE, "group " + group.getGroupId() + " did not commit relayed writes: " + cause));
                }))
                .toList();
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .thenApply(done -> replies.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Whether this node's client writes to the group queue while the group commits them: some
     * whose callers still wait are waiting or in flight, and a batch was answered within
     * {@code within}.
     */
    public boolean writesQueueBehindCommits(RaftGroup group, Duration within) {
        return puts.busyAndAnswering(group.getGroupId(), within.toNanos());
    }

    /** Whether the group answered a batch of this node's client writes within {@code within}. */
    public boolean answeredWritesWithin(RaftGroup group, Duration within) {
        return puts.answeredWithin(group.getGroupId(), within.toNanos());
    }

    /** Any other entry of the group's log, alone. */
    public CompletableFuture<WriteReply> write(RaftGroup group, PartitionCommand command) {
        return send(group, command).thenApply(replies -> replies.get(0));
    }

    private CompletableFuture<List<WriteReply>> send(RaftGroup group, PartitionCommand command) {
        return send(group, PartitionCodec.encode(command), false);
    }

    /**
     * A batch of client writes: into this node's own log if it leads the group, else relayed to
     * its leader (a small batch: see {@link LeaderRelay}; {@link #relayToLeader}),
     * else, or if the relay fails, through that client. A relayed batch may be relayed once
     * more if leadership moves while it waits on the old leader, within its writes' deadlines.
     */
    private CompletableFuture<List<WriteReply>> sendPuts(RaftGroup group, PartitionCommand.Puts batch) {
        byte[] encoded = PartitionCodec.encode(batch);
        return send(group, encoded, encoded.length <= LeaderRelay.MAX_BYTES);
    }

    private CompletableFuture<List<WriteReply>> send(RaftGroup group, byte[] encoded, boolean mayRelay) {
        // The encoded array is not touched again: wrapped, not copied.
        Message message = Message.valueOf(UnsafeByteOperations.unsafeWrap(encoded));
        Function<RaftClient, CompletableFuture<RaftClientReply>> remote = client -> client.async().send(message);
        CompletableFuture<RaftClientReply> local = localLeader.submitIfLeader(group.getGroupId(), message,
                RaftClientRequest.writeRequestType());
        CompletableFuture<List<WriteReply>> relayed = local == null && mayRelay ? relayToLeader(group, encoded) : null;
        if (relayed != null) {
            return relayed.whenComplete((replies, notTaken) -> (notTaken == null ? relaysTaken : relaysNotTaken).increment())
                    .exceptionallyCompose(notTaken -> clients.call(group, remote).thenApply(PartitionClient::writeReplies));
        }
        return locallyOr(group, local, remote).thenApply(PartitionClient::writeReplies);
    }

    /**
     * The relay of a batch to the group's leader: the one this node's replica of the group
     * follows, else the one the group's Raft client last found; null if there is none to relay to.
     */
    private CompletableFuture<List<WriteReply>> relayToLeader(RaftGroup group, byte[] encoded) {
        RaftPeerId followed = localLeader.leaderOf(group.getGroupId());
        RaftPeerId leader = followed != null ? followed : clients.leaderOf(group);
        return leader == null || leader.equals(self) ? null : relay.relay(leader, group.getGroupId(), encoded);
    }

    /** Batches of writes this node relayed to their group's leader and the leader took, since it started. */
    public long relaysTaken() {
        return relaysTaken.sum();
    }

    /**
     * Batches this node relayed that the leader did not take (it no longer led, could not be
     * reached or did not answer in time), so that they went through a Raft client: many of them
     * mean writes pay a relay's round trip for nothing.
     */
    public long relaysNotTaken() {
        return relaysNotTaken.sum();
    }

    private static List<WriteReply> writeReplies(RaftClientReply reply) {
        return PartitionCodec.decodeWriteReplies(RaftReplies.content(reply));
    }

    /** A ReadIndex read on the leader: it reflects every write acknowledged before it began. */
    public CompletableFuture<ReadReply> read(RaftGroup group, PartitionQuery.Get query) {
        return gets.submit(group, query);
    }

    /** A page of the keys in some slots, read on the leader. */
    public CompletableFuture<ExportPage> export(RaftGroup group, PartitionQuery.Export query) {
        return query(group, query).thenApply(PartitionCodec::decodeExportPage);
    }

    private CompletableFuture<byte[]> query(RaftGroup group, PartitionQuery query) {
        Message message = Message.valueOf(ByteString.copyFrom(PartitionCodec.encode(query)));
        CompletableFuture<RaftClientReply> local = localLeader.submitIfLeader(group.getGroupId(), message,
                RaftClientRequest.readRequestType());
        return locallyOr(group, local, client -> client.async().sendReadOnlyUnordered(message))
                .thenApply(RaftReplies::content);
    }

    /**
     * The reply of this node's own server ({@code local}) if it leads the group, else (null, or
     * it turns out not to lead it any more) of the group's client, which finds the leader and retries.
     */
    private CompletableFuture<RaftClientReply> locallyOr(RaftGroup group, CompletableFuture<RaftClientReply> local,
                                                         Function<RaftClient, CompletableFuture<RaftClientReply>> remote) {
        if (local == null) {
            return clients.call(group, remote);
        }
        // The reply completes on the server's apply thread; what follows (the next batch's
        // submission among it) must not run there.
        return local.thenComposeAsync(reply -> leadsNoLonger(reply) ? clients.call(group, remote)
                : CompletableFuture.completedFuture(reply), requestThreads);
    }

    /**
     * A reply saying the local division could not take the request as leader. The request may
     * still have entered its log (a leader stepping down); sent again, it is applied once, since
     * every write and hint carries its id.
     */
    private static boolean leadsNoLonger(RaftClientReply reply) {
        return reply.getNotLeaderException() != null || reply.getLeaderNotReadyException() != null
                || reply.getLeaderSteppingDownException() != null;
    }
}
