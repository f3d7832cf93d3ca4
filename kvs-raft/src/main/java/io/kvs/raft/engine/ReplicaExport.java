package io.kvs.raft.engine;

import io.kvs.core.key.KeySlots;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.PartitionStateMachine;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.raftlog.RaftLog;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Exports a partition from one replica alone, for a group that has lost its majority and is
 * rebuilt from a survivor: the replica's applied state, and on the last page every entry of its
 * log it has not applied yet (an entry a dead leader may have committed and acknowledged).
 */
final class ReplicaExport {
    private ReplicaExport() {
    }

    static ExportPage page(RaftServer.Division division, PartitionQuery.Export query) throws IOException {
        PartitionStateMachine replica = (PartitionStateMachine) division.getStateMachine();
        ExportPage page = replica.export(query);
        if (!page.isLast()) {
            return page;
        }
        List<PartitionCommand.MovedKey> keys = new ArrayList<>(page.keys());
        replica.valuesOfUnappliedEntries(unappliedEntries(division)).stream()
                .filter(k -> query.slots().get(KeySlots.slotOf(k.key())))
                .forEach(keys::add);
        return new ExportPage(keys, null);
    }

    private static List<LogEntryProto> unappliedEntries(RaftServer.Division division) throws IOException {
        RaftLog log = division.getRaftLog();
        long applied = division.getInfo().getLastAppliedIndex();
        long last = log.getLastEntryTermIndex() == null ? -1 : log.getLastEntryTermIndex().getIndex();
        List<LogEntryProto> entries = new ArrayList<>();
        for (long i = Math.max(applied + 1, log.getStartIndex()); i <= last; i++) {
            LogEntryProto entry = log.get(i);
            if (entry != null) {
                entries.add(entry);
            }
        }
        return entries;
    }
}
