package io.kvs.raft.engine;

import io.kvs.core.view.NodeAddress;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.server.RaftPeers;
import io.kvs.raft.statemachine.GroupStateMachine;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;

import java.io.File;

/**
 * What this node's replica of one Raft group shows, for an operator.
 *
 * @param group              the group's serial number (-1 for the metadata group)
 * @param partition          the partition the group serves in this node's view, -1 if none (the
 *                           metadata group, or a group the view no longer names)
 * @param leader             whether this replica leads the group
 * @param leaderKnown        whether this replica knows a leader (itself or another)
 * @param leaderNode         the node this replica takes for the group's leader, null if none
 * @param term               the replica's current term: it rises with every election
 * @param commitIndex        the highest log index it knows committed
 * @param appliedIndex       the highest log index it applied
 * @param logEntries         the entries its log holds (those before its snapshot are purged)
 * @param logBytes           the size of its log's segment files
 * @param leaderChanges      how often it saw the group's leader change since the node started
 * @param snapshotsInstalled how many snapshots a leader installed on it since the node started
 * @param keys               the keys its state holds (0 for the metadata group)
 * @param tombstones         the deleted keys whose tombstones it keeps until they are purged
 * @param storeBytes         the bytes its store takes on disk and in write buffers (0 for the metadata group)
 * @param hintsPending       the writes this node accepted for the group as hints, not yet applied by it
 */
public record GroupStatus(int group, int partition, boolean leader, boolean leaderKnown, NodeAddress leaderNode,
                          long term, long commitIndex,
                          long appliedIndex, long logEntries, long logBytes, long leaderChanges,
                          long snapshotsInstalled, long keys, long tombstones, long storeBytes,
                          int hintsPending) {

    /** The status of {@code division}, this node's replica of group {@code group}. */
    static GroupStatus of(RaftServer.Division division, int group, int partition, int hintsPending) {
        DivisionInfo info = division.getInfo();
        RaftLog log = division.getRaftLog();
        TermIndex last = log.getLastEntryTermIndex();
        long entries = last == null ? 0 : Math.max(0, last.getIndex() - log.getStartIndex() + 1);
        long leaderChanges = 0;
        long installs = 0;
        long keys = 0;
        long tombstones = 0;
        long storeBytes = 0;
        if (division.getStateMachine() instanceof GroupStateMachine machine) {
            leaderChanges = machine.leaderChanges();
            installs = machine.snapshotsInstalled();
        }
        if (division.getStateMachine() instanceof PartitionStateMachine machine) {
            keys = machine.size();
            tombstones = machine.tombstones();
            storeBytes = machine.storeBytes();
        }
        RaftPeerId leaderId = info.getLeaderId();
        return new GroupStatus(group, partition, info.isLeader(), leaderId != null,
                leaderId == null ? null : RaftPeers.nodeOf(leaderId), info.getCurrentTerm(),
                log.getLastCommittedIndex(), info.getLastAppliedIndex(), entries,
                logBytes(division), leaderChanges, installs, keys,
                tombstones, storeBytes, hintsPending);
    }

    /** The size of {@code division}'s log segment files. */
    static long logBytes(RaftServer.Division division) {
        return segmentBytes(division.getRaftStorage().getStorageDir().getCurrentDir());
    }

    /** The size of the log segment files (Ratis names them log_*) in {@code dir}. */
    private static long segmentBytes(File dir) {
        File[] segments = dir.listFiles((d, name) -> name.startsWith("log_"));
        long bytes = 0;
        if (segments != null) {
            for (File segment : segments) {
                bytes += segment.length();
            }
        }
        return bytes;
    }
}
