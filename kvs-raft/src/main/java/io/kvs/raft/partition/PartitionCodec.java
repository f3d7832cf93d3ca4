package io.kvs.raft.partition;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.NodeNames;
import io.kvs.core.causal.VersionVector;
import io.kvs.core.causal.VersionedValue;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary encoding of partition log entries, queries and replies. Compact and free of
 * reflection: every client write passes through it twice.
 *
 * <p>Each command starts with its type, which is also its version: entries that may carry a
 * tombstone (a value absent: a delete) have types of their own, so a node that predates deletes
 * refuses them by name instead of misreading them; the older types are still read.
 *
 * <p>Every binary format of the partition log and its queries is here, in one file, so that a
 * change to a format and to its version code is made and reviewed in one place.
 */
public final class PartitionCodec {
    /** Puts whose values are all present (entries written before deletes existed). */
    private static final byte PUTS_V1 = 1;
    private static final byte FREEZE = 2;
    private static final byte IMPORT_V1 = 3;
    private static final byte DISOWN = 4;
    private static final byte ADOPT = 5;
    /** Hints with the highest id taken as how far the group holds the origin's (entries written before 7 existed). */
    private static final byte APPLY_HINTS_UNBOUNDED = 6;
    private static final byte APPLY_HINTS_V1 = 7;
    private static final byte PUTS = 8;
    private static final byte IMPORT = 9;
    private static final byte APPLY_HINTS = 10;
    private static final byte PURGE = 11;
    private static final byte GETS = 1;
    private static final byte EXPORT = 2;

    private PartitionCodec() {
    }

    /**
     * The stamp the leader appends to every entry, so that apply is deterministic: its clock, its
     * identity, and which writes of a {@link PartitionCommand.Puts} entry (by position) reached it
     * too late to be taken.
     */
    public record Stamp(long millis, String origin, BitSet late) {
        public Stamp {
            late = (BitSet) late.clone();
        }

        public Stamp(long millis, String origin) {
            this(millis, origin, new BitSet());
        }
    }

    /** A log entry: the command the client sent followed by the leader's stamp. */
    record StampedCommand(PartitionCommand command, Stamp stamp) {
    }

    public static byte[] encode(PartitionCommand command) {
        return BinaryFormat.write(expectedBytes(command), out -> {
            if (command instanceof PartitionCommand.Puts puts) {
                out.writeByte(PUTS);
                BinaryFormat.writeList(out, puts.puts(), PartitionCodec::writePut);
            } else if (command instanceof PartitionCommand.Freeze freeze) {
                out.writeByte(FREEZE);
                BinaryFormat.writeBits(out, freeze.slots());
            } else if (command instanceof PartitionCommand.Import moved) {
                out.writeByte(IMPORT);
                writeMovedKeys(out, moved.keys());
            } else if (command instanceof PartitionCommand.Disown disown) {
                out.writeByte(DISOWN);
                BinaryFormat.writeBits(out, disown.slots());
            } else if (command instanceof PartitionCommand.Adopt adopt) {
                out.writeByte(ADOPT);
                BinaryFormat.writeBits(out, adopt.slots());
            } else if (command instanceof PartitionCommand.ApplyHints hints) {
                out.writeByte(APPLY_HINTS);
                out.writeUTF(hints.origin());
                out.writeLong(hints.upTo());
                BinaryFormat.writeList(out, hints.writes(), PartitionCodec::writeHintedWrite);
            } else if (command instanceof PartitionCommand.Purge purge) {
                out.writeByte(PURGE);
                out.writeLong(purge.appliedEverywhere());
                out.writeLong(purge.deletedBeforeMillis());
                out.writeInt(purge.maxKeys());
            }
        });
    }

    private static void writePut(DataOutputStream out, PartitionCommand.Put put) throws IOException {
        out.writeInt(put.slot());
        out.writeUTF(put.key());
        BinaryFormat.writeOptionalString(out, put.value());
        writeHintPositions(out, put.requiredHints());
        out.writeLong(put.writeId());
        out.writeLong(put.notAfterMillis());
        out.writeUTF(put.deps().toCompactText());
    }

    private static PartitionCommand.Put readPut(DataInputStream in) throws IOException {
        return new PartitionCommand.Put(in.readInt(), in.readUTF(), BinaryFormat.readOptionalString(in), readHintPositions(in),
                in.readLong(), in.readLong(), CausalPayload.fromCompactText(in.readUTF()));
    }

    public static byte[] stamp(Stamp stamp) {
        return BinaryFormat.write(out -> {
            out.writeLong(stamp.millis());
            out.writeUTF(stamp.origin());
            BinaryFormat.writeBits(out, stamp.late());
        });
    }

    /** The command alone, as a client sent it (no stamp yet). */
    static PartitionCommand decodeCommand(ByteString message) {
        return BinaryFormat.read(message, PartitionCodec::readCommand);
    }

    /**
     * The writes of an encoded {@link PartitionCommand.Puts}, as a node relays them to a group's
     * leader; an {@link java.io.UncheckedIOException} if the bytes are not one.
     */
    public static List<PartitionCommand.Put> decodePuts(byte[] bytes) {
        PartitionCommand command = BinaryFormat.read(bytes, PartitionCodec::readCommand);
        if (!(command instanceof PartitionCommand.Puts puts)) {
            throw new java.io.UncheckedIOException(new IOException("not a batch of writes: " + command.getClass().getSimpleName()));
        }
        return puts.puts();
    }

    /** A log entry: the command, then the leader's stamp. */
    static StampedCommand decodeEntry(ByteString entry) {
        return BinaryFormat.read(entry, in -> new StampedCommand(readCommand(in), new Stamp(in.readLong(), NodeNames.canonical(in.readUTF()), BinaryFormat.readBits(in))));
    }

    private static PartitionCommand readCommand(DataInputStream in) throws IOException {
        byte type = in.readByte();
        return switch (type) {
            case PUTS, PUTS_V1 -> new PartitionCommand.Puts(BinaryFormat.readList(in, PartitionCodec::readPut));
            case FREEZE -> new PartitionCommand.Freeze(BinaryFormat.readBits(in));
            case IMPORT, IMPORT_V1 -> new PartitionCommand.Import(readMovedKeys(in));
            case DISOWN -> new PartitionCommand.Disown(BinaryFormat.readBits(in));
            case ADOPT -> new PartitionCommand.Adopt(BinaryFormat.readBits(in));
            case APPLY_HINTS, APPLY_HINTS_V1 -> new PartitionCommand.ApplyHints(in.readUTF(), in.readLong(),
                    BinaryFormat.readList(in, PartitionCodec::readHintedWrite));
            case PURGE -> new PartitionCommand.Purge(in.readLong(), in.readLong(), in.readInt());
            case APPLY_HINTS_UNBOUNDED -> {
                String origin = in.readUTF();
                List<HintedWrite> writes = BinaryFormat.readList(in, PartitionCodec::readHintedWrite);
                yield new PartitionCommand.ApplyHints(origin,
                        writes.stream().mapToLong(HintedWrite::id).max().orElse(0), writes);
            }
            default -> throw new IOException("unknown partition command " + type);
        };
    }

    public static byte[] encode(PartitionQuery query) {
        return BinaryFormat.write(out -> {
            if (query instanceof PartitionQuery.Gets gets) {
                out.writeByte(GETS);
                BinaryFormat.writeList(out, gets.gets(), (o, get) -> {
                    o.writeInt(get.slot());
                    o.writeUTF(get.key());
                    writeHintPositions(o, get.requiredHints());
                });
            } else if (query instanceof PartitionQuery.Export export) {
                out.writeByte(EXPORT);
                BinaryFormat.writeBits(out, export.slots());
                writeCursor(out, export.from());
                out.writeInt(export.maxBytes());
            }
        });
    }

    static PartitionQuery decodeQuery(byte[] bytes) {
        return BinaryFormat.read(bytes, in -> {
            byte type = in.readByte();
            if (type == GETS) {
                return new PartitionQuery.Gets(BinaryFormat.readList(in,
                        i -> new PartitionQuery.Get(i.readInt(), i.readUTF(), readHintPositions(i))));
            }
            if (type == EXPORT) {
                return new PartitionQuery.Export(BinaryFormat.readBits(in), readCursor(in), in.readInt());
            }
            throw new IOException("unknown partition query " + type);
        });
    }

    /** The replies to an entry: one per write of a {@link PartitionCommand.Puts}, else one. */
    public static byte[] encodeWriteReplies(List<WriteReply> replies) {
        return BinaryFormat.write(out -> BinaryFormat.writeList(out, replies, (o, reply) -> {
            o.writeByte(reply.status().code());
            o.writeLong(reply.index());
            o.writeLong(reply.timestampMillis());
        }));
    }

    public static List<WriteReply> decodeWriteReplies(byte[] bytes) {
        return BinaryFormat.read(bytes, in -> BinaryFormat.readList(in, i -> new WriteReply(Outcome.ofCode(i.readByte()),
                i.readLong(), i.readLong())));
    }

    /** The replies to a {@link PartitionQuery.Gets}, one per read. */
    static byte[] encodeReadReplies(List<ReadReply> replies) {
        return BinaryFormat.write(out -> BinaryFormat.writeList(out, replies, (o, reply) -> {
            o.writeByte(reply.status().code());
            o.writeLong(reply.appliedIndex());
            writeOptionalValue(o, reply.value());
        }));
    }

    public static List<ReadReply> decodeReadReplies(byte[] bytes) {
        return BinaryFormat.read(bytes, in -> BinaryFormat.readList(in, i -> new ReadReply(Outcome.ofCode(i.readByte()),
                i.readLong(), readOptionalValue(i))));
    }

    public static byte[] encode(ExportPage page) {
        return BinaryFormat.write(movedBytes(page.keys()), out -> {
            out.writeBoolean(page.next() != null);
            if (page.next() != null) {
                writeCursor(out, page.next());
            }
            writeMovedKeys(out, page.keys());
        });
    }

    public static ExportPage decodeExportPage(byte[] bytes) {
        return BinaryFormat.read(bytes, in -> {
            ExportPage.Cursor next = in.readBoolean() ? readCursor(in) : null;
            return new ExportPage(readMovedKeys(in), next);
        });
    }

    private static void writeCursor(DataOutputStream out, ExportPage.Cursor cursor) throws IOException {
        out.writeInt(cursor.slot());
        out.writeUTF(cursor.key());
    }

    private static ExportPage.Cursor readCursor(DataInputStream in) throws IOException {
        return new ExportPage.Cursor(in.readInt(), in.readUTF());
    }

    /** The bytes a value costs on the wire, near enough to size pages and log entries. */
    public static int sizeOf(PartitionCommand.MovedKey key) {
        return key.key().length() + key.value().size() + 2;
    }

    /** The bytes a hinted write costs on the wire, near enough to size pages. */
    public static int sizeOf(HintedWrite hint) {
        return hint.key().length() + lengthOf(hint.value().value()) * 2 + 88;
    }

    /** About the bytes {@code command} encodes to, to size its buffer: the values it carries. */
    private static int expectedBytes(PartitionCommand command) {
        if (command instanceof PartitionCommand.Puts puts) {
            return puts.puts().stream().mapToInt(put -> put.key().length() + lengthOf(put.value()) + 128).sum();
        }
        if (command instanceof PartitionCommand.Import moved) {
            return movedBytes(moved.keys());
        }
        return 64;
    }

    private static int movedBytes(List<PartitionCommand.MovedKey> keys) {
        return keys.stream().mapToInt(PartitionCodec::sizeOf).sum();
    }

    /** The bytes a client write costs in a log entry, near enough to size batches. */
    public static int sizeOf(PartitionCommand.Put put) {
        return put.key().length() + lengthOf(put.value()) * 2 + 64;
    }

    private static int lengthOf(String value) {
        return value == null ? 0 : value.length();
    }

    /** A value with its causal metadata; a tombstone's value is absent. */
    public static void writeValue(DataOutputStream out, VersionedValue value) throws IOException {
        BinaryFormat.writeOptionalString(out, value.value());
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
        out.writeUTF(value.deps().toCompactText());
    }

    public static VersionedValue readValue(DataInputStream in) throws IOException {
        String value = BinaryFormat.readOptionalString(in);
        long timestamp = in.readLong();
        String origin = NodeNames.canonical(in.readUTF());
        long raft = in.readLong();
        int sites = in.readShort();
        Map<String, Long> counters = new HashMap<>();
        for (int i = 0; i < sites; i++) {
            counters.put(NodeNames.canonical(in.readUTF()), in.readLong());
        }
        return new VersionedValue(value, timestamp, origin, VersionVector.of(raft, counters),
                CausalPayload.fromCompactText(in.readUTF()));
    }

    private static void writeHintPositions(DataOutputStream out, Map<String, Long> hints) throws IOException {
        out.writeInt(hints.size());
        for (Map.Entry<String, Long> hint : hints.entrySet()) {
            out.writeUTF(hint.getKey());
            out.writeLong(hint.getValue());
        }
    }

    private static Map<String, Long> readHintPositions(DataInputStream in) throws IOException {
        int count = BinaryFormat.checkedLength(in.readInt(), Integer.MAX_VALUE);
        Map<String, Long> hints = new HashMap<>();
        for (int i = 0; i < count; i++) {
            hints.put(in.readUTF(), in.readLong());
        }
        return hints;
    }

    public static void writeHintedWrite(DataOutputStream out, HintedWrite write) throws IOException {
        out.writeLong(write.id());
        out.writeInt(write.slot());
        out.writeUTF(write.key());
        writeValue(out, write.value());
        out.writeLong(write.writeId());
    }

    public static HintedWrite readHintedWrite(DataInputStream in) throws IOException {
        return new HintedWrite(in.readLong(), in.readInt(), in.readUTF(), readValue(in), in.readLong());
    }

    private static void writeMovedKeys(DataOutputStream out, List<PartitionCommand.MovedKey> keys) throws IOException {
        BinaryFormat.writeList(out, keys, (o, key) -> {
            o.writeUTF(key.key());
            key.value().writeTo(o);
        });
    }

    private static List<PartitionCommand.MovedKey> readMovedKeys(DataInputStream in) throws IOException {
        return BinaryFormat.readList(in, i -> new PartitionCommand.MovedKey(i.readUTF(), EncodedValue.read(i)));
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
}
