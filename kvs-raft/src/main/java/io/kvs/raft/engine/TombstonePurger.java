package io.kvs.raft.engine;

import io.kvs.raft.partition.PartitionCodec;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.server.NodeRaftServer;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Drops the tombstones of deleted keys once they can no longer matter: each group this node
 * leads is asked, through its log, to purge those every member's log holds (the least match
 * index of the group) and whose delete is older than the grace period. The grace period is the
 * time a write accepted without a majority, older than the delete, has to reach the group and
 * meet the tombstone; after it such a write would bring the key back.
 */
final class TombstonePurger {
    private static final Logger LOG = LoggerFactory.getLogger(TombstonePurger.class);
    /** The most tombstones one purge entry drops, so that it stays small to apply. */
    static final int MAX_KEYS_PER_ENTRY = 10_000;
    private static final long SUBMIT_TIMEOUT_MILLIS = 5_000;

    private final NodeRaftServer raft;
    private final Duration grace;
    private final LongSupplier clock;
    private final Set<RaftGroupId> inFlight = ConcurrentHashMap.newKeySet();

    TombstonePurger(NodeRaftServer raft, Duration grace, LongSupplier clock) {
        this.raft = raft;
        this.grace = grace;
        this.clock = clock;
    }

    /** Proposes a purge in each group this node leads that holds tombstones, one at a time per group. Called periodically. */
    void run() {
        for (RaftGroupId id : raft.groupIds()) {
            raft.division(id).ifPresent(division -> {
                if (!(division.getStateMachine() instanceof PartitionStateMachine replica) || replica.tombstones() == 0) {
                    return;
                }
                DivisionInfo info = division.getInfo();
                if (!info.isLeader()) {
                    return;
                }
                long appliedEverywhere = appliedEverywhere(info);
                long deletedBefore = clock.getAsLong() - grace.toMillis();
                // Checked here, off the apply thread: an entry that would drop nothing is not proposed.
                if (appliedEverywhere <= 0 || !replica.hasPurgeableTombstones(appliedEverywhere, deletedBefore)
                        || !inFlight.add(id)) {
                    return;
                }
                PartitionCommand.Purge purge = new PartitionCommand.Purge(appliedEverywhere, deletedBefore,
                        MAX_KEYS_PER_ENTRY);
                CompletableFuture<?> submitted = raft.submitIfLeader(id,
                        Message.valueOf(ByteString.copyFrom(PartitionCodec.encode(purge))),
                        RaftClientRequest.writeRequestType());
                if (submitted == null) {
                    inFlight.remove(id);
                    return;
                }
                submitted.orTimeout(SUBMIT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).whenComplete((reply, failure) -> {
                    inFlight.remove(id);
                    if (failure != null) {
                        LOG.debug("group {}: a tombstone purge was not applied ({}); retrying later", id, failure.toString());
                    }
                });
            });
        }
    }

    /** The highest log index every member holds: the leader's applied index and each follower's match index. */
    static long appliedEverywhere(DivisionInfo leader) {
        long least = leader.getLastAppliedIndex();
        for (long match : leader.getFollowerMatchIndices()) {
            least = Math.min(least, match);
        }
        return least;
    }
}
