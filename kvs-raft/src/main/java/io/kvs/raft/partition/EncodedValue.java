package io.kvs.raft.partition;

import io.kvs.core.causal.VersionedValue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A value with its causal metadata in its binary form ({@link PartitionCodec#writeValue}), as a
 * view change moves it: from the source's store, through the coordinator, into the
 * destination's log and store without being decoded on the way; decoding and encoding every
 * value at each of those steps would be most of what a move costs. It is decoded where it must
 * be merged with a value the destination holds already, and where the destination's leader
 * checks an entry before it enters the log.
 */
public final class EncodedValue {
    private final byte[] bytes;

    private EncodedValue(byte[] bytes) {
        this.bytes = bytes;
    }

    /** A value already in its binary form; the array is the value's from now on. */
    static EncodedValue wrap(byte[] bytes) {
        return new EncodedValue(bytes);
    }

    public static EncodedValue of(VersionedValue value) {
        int expected = (value.value() == null ? 0 : value.value().length()) + 64;
        return new EncodedValue(BinaryFormat.write(expected, out -> PartitionCodec.writeValue(out, value)));
    }

    public VersionedValue decode() {
        return BinaryFormat.read(bytes, PartitionCodec::readValue);
    }

    /** Whether this is a deleted key's tombstone: its value is absent (written as length -1). */
    boolean isTombstone() {
        return ByteBuffer.wrap(bytes).getInt() == -1;
    }

    /** Its length in bytes. */
    int size() {
        return bytes.length;
    }

    void writeTo(DataOutputStream out) throws IOException {
        out.write(bytes);
    }

    /** Writes this value into {@code buffer}, which must have room for {@link #size} bytes. */
    void putInto(ByteBuffer buffer) {
        buffer.put(bytes);
    }

    /**
     * Reads one value as {@link PartitionCodec#writeValue} wrote it, field by field without
     * decoding any: every length is checked against its bound, so a malformed value fails here
     * as it would when decoded.
     */
    static EncodedValue read(DataInputStream in) throws IOException {
        ByteArrayOutputStream copy = new ByteArrayOutputStream(128);
        DataOutputStream out = new DataOutputStream(copy);
        int valueLength = in.readInt();
        out.writeInt(valueLength);
        if (valueLength != -1) {
            copy(in, out, BinaryFormat.checkedLength(valueLength, BinaryFormat.MAX_STRING_BYTES));
        }
        out.writeLong(in.readLong()); // timestamp
        copyUtf(in, out); // origin
        out.writeLong(in.readLong()); // the version vector's Raft counter
        int sites = in.readShort();
        out.writeShort(BinaryFormat.checkedLength(sites, Short.MAX_VALUE));
        for (int i = 0; i < sites; i++) {
            copyUtf(in, out);
            out.writeLong(in.readLong());
        }
        copyUtf(in, out); // the writer's causal payload
        return new EncodedValue(copy.toByteArray());
    }

    private static void copyUtf(DataInputStream in, DataOutputStream out) throws IOException {
        int length = in.readUnsignedShort(); // 0 to 65535: writeUTF's bound
        out.writeShort(length);
        copy(in, out, length);
    }

    private static void copy(DataInputStream in, DataOutputStream out, int length) throws IOException {
        byte[] field = new byte[length];
        in.readFully(field);
        out.write(field);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedValue other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return decode().toString();
    }
}
