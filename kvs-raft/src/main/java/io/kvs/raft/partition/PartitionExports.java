package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a replica gives when a partition's keys move: pages of its applied state, and the values
 * of entries it holds but has not applied (the source of a group rebuilt from it).
 */
final class PartitionExports {
    private final PartitionStore store;

    PartitionExports(PartitionStore store) {
        this.store = store;
    }

    /**
     * A page of the keys in the export's slots, read from this replica's applied state. The slots
     * are frozen before they are exported, so pages taken one after another see the same keys.
     */
    ExportPage page(PartitionQuery.Export export) {
        return store.page(export.slots(), export.from(), export.maxBytes());
    }

    /**
     * The values the given log entries (this replica's log beyond its applied index: entries it
     * holds but has not applied, possibly committed by a leader that is gone) would produce if
     * applied now, without changing anything. A group rebuilt from this replica receives them.
     */
    List<PartitionCommand.MovedKey> valuesOf(List<LogEntryProto> entries) {
        Map<String, VersionedValue> replayed = new LinkedHashMap<>();
        for (LogEntryProto entry : entries) {
            if (!entry.hasStateMachineLogEntry()) {
                continue;
            }
            PartitionCodec.StampedCommand stamped =
                    PartitionCodec.decodeEntry(entry.getStateMachineLogEntry().getLogData());
            if (stamped.command() instanceof PartitionCommand.Puts puts) {
                for (int i = 0; i < puts.puts().size(); i++) {
                    PartitionCommand.Put put = puts.puts().get(i);
                    if (stamped.stamp().late().get(i)) {
                        continue;
                    }
                    VersionedValue current = replayed.containsKey(put.key()) ? replayed.get(put.key()) : store.get(put.key());
                    if (put.value() == null && !VersionedValue.isLive(current)) {
                        continue; // a delete of a missing key changes nothing
                    }
                    replayed.put(put.key(), VersionedValue.orderedAfter(current, put.value(),
                            stamped.stamp().millis(), stamped.stamp().origin(), put.deps()));
                }
            }
        }
        List<PartitionCommand.MovedKey> result = new ArrayList<>();
        replayed.forEach((k, v) -> result.add(PartitionCommand.MovedKey.of(k, v)));
        return result;
    }
}
