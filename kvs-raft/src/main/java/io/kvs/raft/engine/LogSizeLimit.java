package io.kvs.raft.engine;

import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.server.NodeRaftServer;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps each partition replica's Raft log to about {@code maxBytes}: Ratis snapshots a group
 * after a number of entries, whatever their size, so a log of large values would grow to many
 * times the data. Once a replica's log segments pass the limit it is asked for a snapshot (a
 * checkpoint of its store, about one flush), after which Ratis purges the log up to it.
 */
final class LogSizeLimit {
    private static final Logger LOG = LoggerFactory.getLogger(LogSizeLimit.class);
    private static final long SNAPSHOT_TIMEOUT_MILLIS = 30_000;

    private final NodeRaftServer raft;
    private final long maxBytes;
    private final Set<RaftGroupId> requested = ConcurrentHashMap.newKeySet();

    LogSizeLimit(NodeRaftServer raft, long maxBytes) {
        this.raft = raft;
        this.maxBytes = maxBytes;
    }

    /** Asks each partition replica whose log is over the limit for a snapshot, one request at a time. Called periodically. */
    void check() {
        for (RaftGroupId id : raft.groupIds()) {
            raft.division(id).ifPresent(division -> {
                if (!(division.getStateMachine() instanceof PartitionStateMachine)
                        || GroupStatus.logBytes(division) < maxBytes || !requested.add(id)) {
                    return;
                }
                raft.requestSnapshot(id, SNAPSHOT_TIMEOUT_MILLIS).whenComplete((reply, failure) -> {
                    requested.remove(id);
                    if (failure != null || !reply.isSuccess()) {
                        LOG.info("group {}: a snapshot to bound the log was not taken ({}); retrying later", id,
                                failure != null ? failure.toString() : reply.getException());
                    }
                });
            });
        }
    }
}
