package io.kvs.raft.partition;

import io.kvs.core.causal.VersionVector;
import io.kvs.core.causal.VersionedValue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The binary encoding of partition log entries, queries and replies. Compact and free of
 * reflection: every client write passes through it twice.
 */
public final class PartitionCodec {
    private static final byte PUT = 1;

    private PartitionCodec() {
    }

    /** The stamp the leader appends to every entry: its clock and its identity, so that apply is deterministic. */
    public record Stamp(long millis, String origin) {
    }

    public static byte[] encode(PartitionCommand command) {
        return write(out -> {
            if (command instanceof PartitionCommand.Put put) {
                out.writeByte(PUT);
                out.writeInt(put.slot());
                out.writeUTF(put.key());
                writeString(out, put.value());
            }
        });
    }

    public static byte[] stamp(Stamp stamp) {
        return write(out -> {
            out.writeLong(stamp.millis());
            out.writeUTF(stamp.origin());
        });
    }

    /** A log entry: the command the client sent followed by the leader's stamp. */
    record StampedCommand(PartitionCommand command, Stamp stamp) {
    }

    static StampedCommand decodeEntry(byte[] entry) {
        return read(entry, in -> {
            byte type = in.readByte();
            PartitionCommand command;
            if (type == PUT) {
                command = new PartitionCommand.Put(in.readInt(), in.readUTF(), readString(in));
            } else {
                throw new IOException("unknown partition command " + type);
            }
            return new StampedCommand(command, new Stamp(in.readLong(), in.readUTF()));
        });
    }

    public static byte[] encode(PartitionQuery query) {
        return write(out -> {
            out.writeInt(query.slot());
            out.writeUTF(query.key());
            out.writeInt(query.requiredHints().size());
            for (Map.Entry<String, Long> hint : query.requiredHints().entrySet()) {
                out.writeUTF(hint.getKey());
                out.writeLong(hint.getValue());
            }
        });
    }

    static PartitionQuery decodeQuery(byte[] bytes) {
        return read(bytes, in -> {
            int slot = in.readInt();
            String key = in.readUTF();
            int hints = in.readInt();
            Map<String, Long> required = new HashMap<>();
            for (int i = 0; i < hints; i++) {
                required.put(in.readUTF(), in.readLong());
            }
            return new PartitionQuery(slot, key, required);
        });
    }

    static byte[] encode(WriteReply reply) {
        return write(out -> {
            out.writeByte(reply.status().ordinal());
            out.writeLong(reply.index());
            writeOptionalValue(out, reply.stored());
        });
    }

    public static WriteReply decodeWriteReply(byte[] bytes) {
        return read(bytes, in -> new WriteReply(WriteReply.Status.values()[in.readByte()], in.readLong(),
                readOptionalValue(in)));
    }

    static byte[] encode(ReadReply reply) {
        return write(out -> {
            out.writeByte(reply.status().ordinal());
            out.writeLong(reply.appliedIndex());
            writeOptionalValue(out, reply.value());
        });
    }

    public static ReadReply decodeReadReply(byte[] bytes) {
        return read(bytes, in -> new ReadReply(ReadReply.Status.values()[in.readByte()], in.readLong(),
                readOptionalValue(in)));
    }

    static void writeValue(DataOutputStream out, VersionedValue value) throws IOException {
        writeString(out, value.value());
        out.writeLong(value.timestampMillis());
        out.writeUTF(value.origin());
        VersionVector version = value.version();
        out.writeLong(version.raft());
        Map<String, Long> counters = version.nodeCounters();
        out.writeShort(counters.size());
        for (Map.Entry<String, Long> counter : counters.entrySet()) {
            out.writeUTF(counter.getKey());
            out.writeLong(counter.getValue());
        }
    }

    static VersionedValue readValue(DataInputStream in) throws IOException {
        String value = readString(in);
        long timestamp = in.readLong();
        String origin = in.readUTF();
        long raft = in.readLong();
        int sites = in.readShort();
        Map<String, Long> counters = new HashMap<>();
        for (int i = 0; i < sites; i++) {
            counters.put(in.readUTF(), in.readLong());
        }
        return new VersionedValue(value, timestamp, origin, VersionVector.of(raft, counters));
    }

    private static void writeOptionalValue(DataOutputStream out, VersionedValue value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            writeValue(out, value);
        }
    }

    private static VersionedValue readOptionalValue(DataInputStream in) throws IOException {
        return in.readBoolean() ? readValue(in) : null;
    }

    /** Values may exceed writeUTF's 64 KiB limit. */
    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("malformed partition message", e);
        }
    }
}
