package io.kvs.raft.engine;

import io.kvs.raft.server.NodeRaftServer;
import io.kvs.raft.storage.DiskSpace;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brings back the replicas whose Raft log failed to write (a full disk). Ratis fails every later
 * write of such a replica and does not recover by itself; once the disk has room again, each is
 * started again from its storage, which holds every entry it had written and acknowledged.
 */
final class LogFailureRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LogFailureRecovery.class);

    private final DiskSpace disk;
    private final Set<RaftGroupId> failed = ConcurrentHashMap.newKeySet();

    LogFailureRecovery(DiskSpace disk) {
        this.disk = disk;
    }

    /** The replica of {@code group} on this node failed to write its log. */
    void failed(RaftGroupId group) {
        failed.add(group);
    }

    /** Restarts the failed replicas of {@code raft} if the disk has room now. Called periodically. */
    void restartIfRoom(NodeRaftServer raft) {
        if (failed.isEmpty() || !disk.hasRoom()) {
            return;
        }
        for (RaftGroupId id : List.copyOf(failed)) {
            try {
                raft.restartFromStorage(id);
                failed.remove(id);
            } catch (IOException | RuntimeException e) {
                LOG.warn("group {}: could not restart the replica whose log failed: {}; retrying", id, e.toString());
            }
        }
    }
}
