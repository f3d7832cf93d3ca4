package io.kvs.raft.engine;

import io.kvs.core.view.Partition;
import io.kvs.raft.client.Failures;
import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.partition.Outcome;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.partition.ReadReply;
import io.kvs.raft.partition.WriteReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.server.RaftServer;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One partition of the view as this node reaches it: the partition's Raft group, and requests
 * to it through its leader. A group that no longer runs on the servers asked (the partition was
 * rebuilt or dissolved since this view) answers WRONG_OWNER, like a group that gave the key's
 * slot away: the caller routes by a newer view. Callers see outcomes, never Raft's exceptions
 * for that.
 */
public final class PartitionEngine {
    private final Partition partition;
    private final RaftGroup group;
    private final PartitionClient client;
    /** This node's replica of the group, if it hosts one (looked up only when asked). */
    private final Supplier<Optional<RaftServer.Division>> localReplica;

    PartitionEngine(Partition partition, RaftGroup group, PartitionClient client,
                    Supplier<Optional<RaftServer.Division>> localReplica) {
        this.partition = partition;
        this.group = group;
        this.client = client;
        this.localReplica = localReplica;
    }

    public Partition partition() {
        return partition;
    }

    /** A client's write, through the group's log (batched with others). */
    public CompletableFuture<WriteReply> put(PartitionCommand.Put put) {
        return client.put(group, put).exceptionallyCompose(failure -> movedOn(failure, new WriteReply(
                Outcome.WRONG_OWNER, 0, 0)));
    }

    /**
     * Whether the group is committing this node's writes but they queue: it answered within
     * {@code within} while others wait. A write that is slow there is slow from load, not from
     * a lost majority.
     */
    public boolean writesQueueBehindCommits(Duration within) {
        return client.writesQueueBehindCommits(group, within);
    }

    /**
     * Whether the group committed within {@code within}, as this node sees it: it answered this
     * node's writes, or this node's replica applied an entry (another node's writes). It had a
     * leader and a majority then, so a write of this node's that found neither in time found
     * them slow, not gone.
     */
    public boolean committedWithin(Duration within) {
        return client.answeredWritesWithin(group, within)
                || localReplica.get().map(RaftServer.Division::getStateMachine)
                .map(replica -> replica instanceof PartitionStateMachine machine && machine.appliedWithin(within))
                .orElse(false);
    }

    /**
     * Whether this node's replica of the group has known no leader for {@code atLeast} or
     * longer ({@link PartitionStateMachine#withoutLeaderFor}): it reaches no majority, so the group
     * can take no request from this node until one is back. False on a node that hosts no
     * replica of the group: it cannot tell a lost majority from a slow group.
     */
    public boolean withoutLeaderFor(Duration atLeast) {
        return localReplica.get().map(division -> division.getStateMachine() instanceof PartitionStateMachine replica
                && replica.withoutLeaderFor(division.getInfo().getLeaderId() != null).compareTo(atLeast) >= 0)
                .orElse(false);
    }

    /** A linearizable read of one key (batched with others). */
    public CompletableFuture<ReadReply> read(PartitionQuery.Get get) {
        return client.read(group, get).exceptionallyCompose(failure -> movedOn(failure, new ReadReply(
                Outcome.WRONG_OWNER, 0, null)));
    }

    /** Any other entry of the group's log, alone. */
    public CompletableFuture<WriteReply> write(PartitionCommand command) {
        return client.write(group, command).exceptionallyCompose(failure -> movedOn(failure, new WriteReply(
                Outcome.WRONG_OWNER, 0, 0)));
    }

    private static <T> CompletableFuture<T> movedOn(Throwable failure, T wrongOwner) {
        return Failures.causeOf(failure) instanceof GroupMismatchException
                ? CompletableFuture.completedFuture(wrongOwner)
                : CompletableFuture.failedFuture(failure);
    }
}
