package io.kvs.raft.migration;

import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import org.apache.ratis.protocol.RaftGroup;

import java.io.IOException;
import java.util.BitSet;
import java.util.concurrent.TimeUnit;

/**
 * Copies the keys of some slots from a source (a group's leader, or one replica) into a
 * destination group, a page at a time, each page one entry of the destination's log. Imports
 * merge, so a page sent twice (a retry, a coordinator taking over) changes nothing.
 */
final class SlotCopier {
    /** Page size: large enough to amortise a Raft round, small enough for one log entry. */
    static final int PAGE_BYTES = 512 * 1024;
    private static final long ATTEMPT_SECONDS = 10;

    /** Where exported pages come from. */
    interface Source {
        ExportPage page(PartitionQuery.Export query) throws IOException;
    }

    private final PartitionClient partitions;

    SlotCopier(PartitionClient partitions) {
        this.partitions = partitions;
    }

    /** A source that reads a group through its leader (the slots must be frozen first). */
    Source fromGroup(RaftGroup group) {
        return query -> BoundedRetry.await(() -> partitions.export(group, query).get(ATTEMPT_SECONDS, TimeUnit.SECONDS),
                "export from " + group.getGroupId());
    }

    /** How many keys a copy moved, and the destination's log index once they were all in. */
    record Copied(long keys, long lastIndex) {
    }

    /**
     * Copies every key of {@code slots}. The destination first adopts the slots: it may have
     * given them away in an earlier change.
     */
    Copied copy(Source source, BitSet slots, RaftGroup destination) throws IOException {
        if (slots.isEmpty()) {
            return new Copied(0, 0);
        }
        PartitionCommand.Adopt adopt = new PartitionCommand.Adopt(slots);
        long lastIndex = BoundedRetry.await(() -> partitions.write(destination, adopt).get(ATTEMPT_SECONDS, TimeUnit.SECONDS),
                "adopt slots in " + destination.getGroupId()).index();
        long copied = 0;
        ExportPage.Cursor cursor = new ExportPage.Cursor(slots.nextSetBit(0), "");
        while (cursor != null) {
            ExportPage page = source.page(new PartitionQuery.Export(slots, cursor, PAGE_BYTES));
            if (!page.keys().isEmpty()) {
                PartitionCommand.Import batch = new PartitionCommand.Import(page.keys());
                lastIndex = BoundedRetry.await(() -> partitions.write(destination, batch).get(ATTEMPT_SECONDS, TimeUnit.SECONDS),
                        "import into " + destination.getGroupId()).index();
                copied += page.keys().size();
            }
            cursor = page.next();
        }
        return new Copied(copied, lastIndex);
    }
}
