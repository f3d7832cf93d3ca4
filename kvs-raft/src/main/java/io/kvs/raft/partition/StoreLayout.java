package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;
import io.kvs.core.key.KeySlots;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Where a partition replica keeps what in its store: one byte says what a record is, and a
 * slot's keys follow its two-byte number, so each slot's keys are one contiguous range (a view
 * change moves whole slots: it reads them in order and drops them with one range delete).
 *
 * <pre>
 *   'd' slot(2) key(UTF-8)   -> value: VALUE_FORMAT(1) then {@link PartitionCodec#writeValue}
 *   'c' slot(2)              -> the slot's count of 'd' records, tombstones included (8)
 *   't' slot(2) key(UTF-8)   -> the key holds a tombstone: the log index that wrote it (8), its timestamp (8)
 *   'h' node(UTF-8)          -> how far the group applied the node's hinted writes (8)
 *   'r' sequence(8)          -> the id of a recent client write, by the order it was applied (8)
 *   'm' name(ASCII)          -> the replica's own records: format, applied, frozen, disowned
 * </pre>
 */
final class StoreLayout {
    /**
     * The version of this layout; a store of another is refused, not misread. Version 2 added
     * tombstones (the 't' records and values of {@link #VALUE_FORMAT} 2); a store of version 1
     * holds none and is taken as it is.
     */
    static final int FORMAT = 2;
    static final int FORMAT_V1 = 1;
    /** The version of a stored value's encoding: 2 may be a tombstone, 1 never is. */
    static final byte VALUE_FORMAT = 2;
    static final byte VALUE_FORMAT_V1 = 1;

    private static final byte DATA = 'd';
    private static final byte COUNT = 'c';
    private static final byte TOMBSTONE = 't';
    private static final byte HINT = 'h';
    private static final byte RECENT = 'r';
    private static final byte META = 'm';

    static final byte[] FORMAT_KEY = meta("format");
    static final byte[] APPLIED_KEY = meta("applied");
    static final byte[] FROZEN_KEY = meta("frozen");
    static final byte[] DISOWNED_KEY = meta("disowned");

    private StoreLayout() {
    }

    static byte[] dataKey(int slot, String key) {
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(3 + utf8.length).put(DATA).putShort((short) slot).put(utf8).array();
    }

    /** The first possible data key of {@code slot}; slot {@link KeySlots#SLOT_COUNT} is the end of all data. */
    static byte[] slotStart(int slot) {
        return ByteBuffer.allocate(3).put(DATA).putShort((short) slot).array();
    }

    static int slotOfDataKey(byte[] key) {
        return ByteBuffer.wrap(key, 1, 2).getShort() & 0xFFFF;
    }

    static String keyOfDataKey(byte[] key) {
        return new String(key, 3, key.length - 3, StandardCharsets.UTF_8);
    }

    static byte[] tombstoneKey(int slot, String key) {
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(3 + utf8.length).put(TOMBSTONE).putShort((short) slot).put(utf8).array();
    }

    /** The first possible tombstone record of {@code slot}; slot {@link KeySlots#SLOT_COUNT} is the end of all. */
    static byte[] tombstoneSlotStart(int slot) {
        return ByteBuffer.allocate(3).put(TOMBSTONE).putShort((short) slot).array();
    }

    /** The data key a tombstone record stands for. */
    static byte[] dataKeyOfTombstoneKey(byte[] tombstoneKey) {
        byte[] data = tombstoneKey.clone();
        data[0] = DATA;
        return data;
    }

    /** Where and when a tombstone was written: the log index of its entry, and its timestamp. */
    record TombstoneRecord(long index, long timestampMillis) {
        byte[] encode() {
            return ByteBuffer.allocate(16).putLong(index).putLong(timestampMillis).array();
        }

        static TombstoneRecord decode(byte[] stored) {
            if (stored.length != 16) {
                throw new IllegalStateException("a tombstone record of " + stored.length + " bytes");
            }
            ByteBuffer buffer = ByteBuffer.wrap(stored);
            return new TombstoneRecord(buffer.getLong(), buffer.getLong());
        }
    }

    static byte[] countKey(int slot) {
        return ByteBuffer.allocate(3).put(COUNT).putShort((short) slot).array();
    }

    static byte[] hintKey(String node) {
        byte[] utf8 = node.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + utf8.length).put(HINT).put(utf8).array();
    }

    static byte[] hintStart() {
        return new byte[]{HINT};
    }

    static byte[] hintEnd() {
        return new byte[]{HINT + 1};
    }

    static String nodeOfHintKey(byte[] key) {
        return new String(key, 1, key.length - 1, StandardCharsets.UTF_8);
    }

    static byte[] recentKey(long sequence) {
        return ByteBuffer.allocate(9).put(RECENT).putLong(sequence).array();
    }

    static byte[] recentStart() {
        return new byte[]{RECENT};
    }

    static byte[] recentEnd() {
        return new byte[]{RECENT + 1};
    }

    static long sequenceOfRecentKey(byte[] key) {
        return ByteBuffer.wrap(key, 1, 8).getLong();
    }

    static byte[] longValue(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    static long longOf(byte[] value) {
        if (value.length != 8) {
            throw new IllegalStateException("a stored number of " + value.length + " bytes");
        }
        return ByteBuffer.wrap(value).getLong();
    }

    static byte[] encodeValue(VersionedValue value) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((value.isTombstone() ? 0 : value.value().length()) + 64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VALUE_FORMAT);
            PartitionCodec.writeValue(out, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return bytes.toByteArray();
    }

    static VersionedValue decodeValue(byte[] stored) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(stored))) {
            checkValueFormat(in.readByte());
            return PartitionCodec.readValue(in);
        } catch (IOException e) {
            throw new IllegalStateException("a stored value that does not decode: " + e.getMessage(), e);
        }
    }

    /** A value record as it is, for a move: its bytes after the format byte ({@link EncodedValue}). */
    static EncodedValue encodedValue(byte[] stored) {
        checkValueFormat(stored[0]);
        return EncodedValue.wrap(Arrays.copyOfRange(stored, 1, stored.length));
    }

    /** The value record of a moved value, in the current value format. */
    static byte[] storedValue(EncodedValue value) {
        ByteBuffer record = ByteBuffer.allocate(1 + value.size()).put(VALUE_FORMAT);
        value.putInto(record);
        return record.array();
    }

    /** Both value formats are {@link PartitionCodec#writeValue} after the format byte; 2 may hold a tombstone. */
    private static void checkValueFormat(byte format) {
        if (format != VALUE_FORMAT && format != VALUE_FORMAT_V1) {
            throw new IllegalStateException("a stored value of format " + format + "; this node reads "
                    + VALUE_FORMAT_V1 + " and " + VALUE_FORMAT);
        }
    }

    private static byte[] meta(String name) {
        byte[] ascii = name.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(1 + ascii.length).put(META).put(ascii).array();
    }
}
