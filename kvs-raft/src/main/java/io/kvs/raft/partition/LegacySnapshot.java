package io.kvs.raft.partition;

import org.apache.ratis.server.protocol.TermIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a snapshot of the in-memory store of earlier versions (one file, format 2) into a
 * partition's store, so that a node upgraded in place keeps its data. A file of any other
 * format is refused with the format it has.
 */
final class LegacySnapshot {
    private static final Logger LOG = LoggerFactory.getLogger(LegacySnapshot.class);
    static final int FORMAT = 2;
    /** Keys written per batch: the import's memory stays bounded whatever the snapshot's size. */
    private static final int KEYS_PER_BATCH = 10_000;

    private LegacySnapshot() {
    }

    /**
     * Imports {@code file}, the group's state at {@code at}, into {@code store} (empty, or holding
     * part of the same import from before a crash: applying it again changes nothing). The
     * store counts it applied only once all of it is written.
     */
    static void importInto(PartitionStore store, Path file, TermIndex at) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException(file + ": a partition snapshot of format " + format + "; this node imports format "
                        + FORMAT + " only");
            }
            store.freeze(BinaryFormat.readBits(in));
            store.disown(BinaryFormat.readBits(in));
            int hints = BinaryFormat.checkedLength(in.readInt(), Integer.MAX_VALUE);
            for (int i = 0; i < hints; i++) {
                store.markHintApplied(in.readUTF(), in.readLong());
            }
            int recent = BinaryFormat.checkedLength(in.readInt(), Integer.MAX_VALUE);
            for (int i = 0; i < recent; i++) {
                store.firstTimeApplied(in.readLong());
            }
            int keys = BinaryFormat.checkedLength(in.readInt(), Integer.MAX_VALUE);
            for (int i = 0; i < keys; i++) {
                store.merge(in.readUTF(), PartitionCodec.readValue(in));
                if ((i + 1) % KEYS_PER_BATCH == 0) {
                    store.writePending();
                }
            }
            store.commit(at.getTerm(), at.getIndex());
            LOG.info("imported {} keys from the earlier snapshot {}", keys, file);
        }
    }
}
