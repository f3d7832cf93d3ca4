package io.kvs.raft.migration;

import io.kvs.raft.partition.Outcome;
import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.HintedWrite;
import io.kvs.raft.partition.WriteReply;
import io.kvs.raft.partition.PartitionCodec;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import org.apache.ratis.protocol.RaftGroup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

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
        long lastIndex = write(new PartitionCommand.Adopt(slots), destination);
        long copied = 0;
        ExportPage.Cursor cursor = new ExportPage.Cursor(slots.nextSetBit(0), "");
        while (cursor != null) {
            ExportPage page = source.page(new PartitionQuery.Export(slots, cursor, PAGE_BYTES));
            if (!page.keys().isEmpty()) {
                lastIndex = importPage(page.keys(), destination);
                copied += page.keys().size();
            }
            cursor = page.next();
        }
        return new Copied(copied, lastIndex);
    }

    /** Imports {@code keys} into {@code destination}, a page per log entry; the last entry's index (0 if none). */
    long importAll(List<PartitionCommand.MovedKey> keys, RaftGroup destination) throws IOException {
        long lastIndex = 0;
        for (List<PartitionCommand.MovedKey> page : pages(keys, PartitionCodec::sizeOf)) {
            if (!page.isEmpty()) {
                lastIndex = importPage(page, destination);
            }
        }
        return lastIndex;
    }

    /**
     * Enters {@code hints}, which {@code origin} accepted for {@code destination}'s own slots, into
     * its log as the origin's hints, a page per entry; the last entry tells the group it now
     * holds every hint of the origin up to {@code upTo}. Returns that entry's index.
     */
    long applyHints(String origin, long upTo, List<HintedWrite> hints, RaftGroup destination) throws IOException {
        List<List<HintedWrite>> pages = pages(hints, PartitionCodec::sizeOf);
        long lastIndex = 0;
        for (int i = 0; i < pages.size(); i++) {
            long reached = i == pages.size() - 1 ? upTo : 0;
            lastIndex = write(new PartitionCommand.ApplyHints(origin, reached, pages.get(i)), destination);
        }
        return lastIndex;
    }

    /** {@code items} in consecutive pages of about {@link #PAGE_BYTES} each; one empty page if there are none. */
    private static <T> List<List<T>> pages(List<T> items, ToIntFunction<T> size) {
        List<List<T>> pages = new ArrayList<>();
        int start = 0;
        int bytes = 0;
        for (int i = 0; i < items.size(); i++) {
            bytes += size.applyAsInt(items.get(i));
            if (bytes >= PAGE_BYTES) {
                pages.add(items.subList(start, i + 1));
                start = i + 1;
                bytes = 0;
            }
        }
        if (start < items.size() || pages.isEmpty()) {
            pages.add(items.subList(start, items.size()));
        }
        return pages;
    }

    private long importPage(List<PartitionCommand.MovedKey> keys, RaftGroup destination) throws IOException {
        return write(new PartitionCommand.Import(keys), destination);
    }

    /** Writes a command the destination must take: adopting and importing always succeed; hints are refused for a slot it does not own. */
    private long write(PartitionCommand command, RaftGroup destination) throws IOException {
        WriteReply reply = BoundedRetry.await(() -> partitions.write(destination, command)
                .get(ATTEMPT_SECONDS, TimeUnit.SECONDS), "write to " + destination.getGroupId());
        if (reply.status() != Outcome.UPDATED) {
            throw new IOException(destination.getGroupId() + " refused " + command.getClass().getSimpleName() + ": "
                    + reply.status());
        }
        return reply.index();
    }

}
