package io.kvs.raft.hint;

import io.kvs.raft.partition.HintedWrite;
import io.kvs.raft.partition.PartitionCodec;
import io.kvs.raft.storage.DurableFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One group's hinted writes on disk: an append-only file of checksummed records, each forced
 * to disk before the write it holds is acknowledged.
 *
 * <p>Recovery tells a torn tail from damage. A record cut short at the end of the file (a crash
 * in the middle of an append) was never acknowledged and is cut off. A record whose checksum
 * does not match, or whose length makes no sense, with more of the file after it, is damage:
 * the file is kept aside as it was, the damage reported, and the records that can still be
 * read are kept.
 *
 * <p>Once the group has applied every hint, the file is replaced, atomically, by one holding
 * only a marker with the highest id issued, so ids never repeat, not even across a crash.
 */
final class HintLog implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(HintLog.class);
    /** A hint whose value is present (records written before deletes existed). */
    private static final byte HINT_V1 = 1;
    private static final byte MARKER = 2;
    /** A hint whose value may be a tombstone (a delete). */
    private static final byte HINT = 3;
    /** No record is larger: a hint holds one value of at most 1 MiB, and its causal metadata. */
    static final int MAX_RECORD_BYTES = 8 << 20;
    private static final int HEADER_BYTES = 8;

    private final Path path;
    private FileChannel file;

    /** The log, opened, with the hints it held and the highest id it ever issued. */
    record Opened(HintLog log, List<HintedWrite> hints, long highestId) {
    }

    private HintLog(Path path, FileChannel file) {
        this.path = path;
        this.file = file;
    }

    static Opened open(Path path) throws IOException {
        List<HintedWrite> hints = new ArrayList<>();
        long[] highestId = {0};
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long size = channel.size();
        long position = 0;
        long end = 0; // just past the last record kept
        boolean damaged = false;
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        while (position < size) {
            header.clear();
            if (size - position < HEADER_BYTES) {
                break; // a header cut short: a torn tail
            }
            readFully(channel, header, position);
            header.flip();
            int length = header.getInt();
            int checksum = header.getInt();
            if (length <= 0 || length > MAX_RECORD_BYTES) {
                damaged = true; // nothing after this can be found again
                LOG.error("hint log {}: a record at byte {} claims {} bytes; the rest of the file ({} bytes) is "
                        + "unreadable", path, position, length, size - position);
                break;
            }
            if (position + HEADER_BYTES + length > size) {
                break; // a body cut short: a torn tail
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(channel, body, position + HEADER_BYTES);
            position += HEADER_BYTES + length;
            if (crc(body.array()) != checksum) {
                damaged = true;
                LOG.error("hint log {}: the record ending at byte {} fails its checksum and is skipped", path, position);
                continue;
            }
            try {
                decode(body.array(), hints, highestId);
            } catch (IOException e) {
                damaged = true;
                LOG.error("hint log {}: the record ending at byte {} cannot be read ({}) and is skipped", path,
                        position, e.getMessage());
                continue;
            }
            end = position;
        }
        if (damaged) {
            Path aside = path.resolveSibling(path.getFileName() + ".damaged-" + System.currentTimeMillis());
            Files.copy(path, aside, StandardCopyOption.COPY_ATTRIBUTES);
            LOG.error("hint log {}: kept as it was in {}; {} hints recovered", path, aside, hints.size());
        } else if (end < size) {
            LOG.info("hint log {}: cut off a record torn by a crash ({} bytes)", path, size - end);
        }
        HintLog log = new HintLog(path, channel);
        if (damaged) {
            log.rewrite(hints, highestId[0]);
        } else {
            channel.truncate(end);
            channel.position(end);
        }
        return new Opened(log, hints, highestId[0]);
    }

    /**
     * Appends a hint and forces it to disk. A failed append (a full disk) leaves the file as it
     * was, so the records after it stay readable.
     */
    void append(HintedWrite hint) throws IOException {
        byte[] record = hintRecord(hint);
        long before = file.position();
        try {
            ByteBuffer buffer = ByteBuffer.wrap(record);
            while (buffer.hasRemaining()) {
                file.write(buffer);
            }
            file.force(false);
        } catch (IOException e) {
            try {
                file.truncate(before);
                file.position(before);
            } catch (IOException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        }
    }

    /** Forgets every hint, keeping only the highest id issued. */
    void reset(long highestId) throws IOException {
        rewrite(List.of(), highestId);
    }

    /**
     * Replaces the file with one holding {@code hints} and a marker of {@code highestId}: written
     * beside it, forced, renamed over it, and the directory forced, so that a crash leaves either
     * the old file or the new one.
     */
    private void rewrite(List<HintedWrite> hints, long highestId) throws IOException {
        DurableFiles.replace(path, out -> {
            out.write(record(encode(o -> {
                o.writeByte(MARKER);
                o.writeLong(highestId);
            })));
            for (HintedWrite hint : hints) {
                out.write(hintRecord(hint));
            }
        });
        file.close();
        file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        file.position(file.size());
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException("hint log ended early");
            }
        }
    }

    private static byte[] hintRecord(HintedWrite hint) throws IOException {
        return record(encode(out -> {
            out.writeByte(HINT);
            PartitionCodec.writeHintedWrite(out, hint);
        }));
    }

    /** A record: its body's length and checksum, then the body. */
    private static byte[] record(byte[] body) {
        return ByteBuffer.allocate(HEADER_BYTES + body.length).putInt(body.length).putInt(crc(body)).put(body).array();
    }

    private static void decode(byte[] body, List<HintedWrite> into, long[] highestId) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            byte type = in.readByte();
            if (type == HINT || type == HINT_V1) {
                HintedWrite write = PartitionCodec.readHintedWrite(in);
                into.add(write);
                highestId[0] = Math.max(highestId[0], write.id());
            } else if (type == MARKER) {
                highestId[0] = Math.max(highestId[0], in.readLong());
            } else {
                throw new IOException("unknown hint record type " + type);
            }
        } catch (EOFException | RuntimeException e) {
            throw new IOException("short or malformed hint record: " + e.getMessage(), e);
        }
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] encode(Body body) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        }
        return bytes.toByteArray();
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
