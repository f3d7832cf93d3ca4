package io.kvs.raft.hint;

import io.kvs.raft.partition.HintedWrite;
import io.kvs.raft.partition.PartitionCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Some of a node's pending hints of one group, in id order, as a view change collects them from
 * the node: {@code nextAfter} is the id to continue after, 0 on the last page;
 * {@code highestIssued} the highest id the node ever gave a hint of the group.
 */
public record HintPage(List<HintedWrite> hints, long nextAfter, long highestIssued) {
    /** Version of the encoding below; a page of another version is refused, not misread. */
    private static final byte FORMAT = 1;
    /** No page holds more; a longer list is a malformed or hostile message. */
    private static final int MAX_HINTS = 1_000_000;

    public HintPage {
        hints = List.copyOf(hints);
    }

    public boolean isLast() {
        return nextAfter == 0;
    }

    public byte[] encode() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT);
            out.writeLong(nextAfter);
            out.writeLong(highestIssued);
            out.writeInt(hints.size());
            for (HintedWrite hint : hints) {
                PartitionCodec.writeHintedWrite(out, hint);
            }
        }
        return bytes.toByteArray();
    }

    public static HintPage decode(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IOException("hint page of unknown format " + format);
            }
            long nextAfter = in.readLong();
            long highestIssued = in.readLong();
            int count = in.readInt();
            if (count < 0 || count > MAX_HINTS) {
                throw new IOException("hint page claims " + count + " hints");
            }
            List<HintedWrite> hints = new ArrayList<>(Math.min(count, 1024));
            for (int i = 0; i < count; i++) {
                hints.add(PartitionCodec.readHintedWrite(in));
            }
            return new HintPage(hints, nextAfter, highestIssued);
        }
    }
}
