package io.kvs.raft.hint;

import io.kvs.raft.partition.HintedWrite;

import io.kvs.raft.partition.PartitionCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One group's hinted writes on disk: an append-only file of checksummed records, each forced
 * to disk before the write it holds is acknowledged. A torn record at the end (a crash in the
 * middle of an append) was never acknowledged and is cut off on recovery.
 *
 * <p>Once the group has applied every hint, the file is emptied; a marker record keeps the
 * highest id issued, so ids never repeat.
 */
final class HintLog implements Closeable {
    private static final byte HINT = 1;
    private static final byte MARKER = 2;

    private final FileChannel file;

    /** The log, opened, with the hints it held and the highest id it ever issued. */
    record Opened(HintLog log, List<HintedWrite> hints, long highestId) {
    }

    private HintLog(FileChannel file) {
        this.file = file;
    }

    static Opened open(Path path) throws IOException {
        List<HintedWrite> hints = new ArrayList<>();
        long[] highestId = {0};
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long valid = 0;
        ByteBuffer header = ByteBuffer.allocate(8);
        while (true) {
            header.clear();
            if (channel.read(header, valid) < 8) {
                break;
            }
            header.flip();
            int length = header.getInt();
            int checksum = header.getInt();
            if (length <= 0 || valid + 8 + length > channel.size()) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            channel.read(body, valid + 8);
            if (crc(body.array()) != checksum) {
                break;
            }
            decode(body.array(), hints, highestId);
            valid += 8 + length;
        }
        channel.truncate(valid);
        channel.position(valid);
        return new Opened(new HintLog(channel), hints, highestId[0]);
    }

    void append(HintedWrite hint) throws IOException {
        write(encode(out -> {
            out.writeByte(HINT);
            PartitionCodec.writeHintedWrite(out, hint);
        }));
    }

    /** Forgets every hint, keeping only the highest id issued. */
    void reset(long highestId) throws IOException {
        file.truncate(0);
        file.position(0);
        write(encode(out -> {
            out.writeByte(MARKER);
            out.writeLong(highestId);
        }));
    }

    private void write(byte[] body) throws IOException {
        ByteBuffer record = ByteBuffer.allocate(8 + body.length);
        record.putInt(body.length).putInt(crc(body)).put(body).flip();
        while (record.hasRemaining()) {
            file.write(record);
        }
        file.force(false);
    }

    private static void decode(byte[] body, List<HintedWrite> into, long[] highestId) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            byte type = in.readByte();
            if (type == HINT) {
                HintedWrite write = PartitionCodec.readHintedWrite(in);
                into.add(write);
                highestId[0] = Math.max(highestId[0], write.id());
            } else {
                highestId[0] = Math.max(highestId[0], in.readLong());
            }
        } catch (EOFException e) {
            throw new IOException("short hint record", e);
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
