package io.kvs.raft.partition;

import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The building blocks of the partition messages' binary encoding ({@link PartitionCodec}):
 * lists, bit sets and strings with their lengths, every length read back checked against a
 * bound before anything is allocated for it.
 */
final class BinaryFormat {
    /** Bounds on lengths read from a message: a larger one is malformed, and not allocated. */
    static final int MAX_STRING_BYTES = 4 << 20;
    private static final int MAX_BITS_BYTES = 1 << 16;

    private BinaryFormat() {
    }

    interface ElementWriter<T> {
        void write(DataOutputStream out, T element) throws IOException;
    }

    /** A count, then each element. */
    static <T> void writeList(DataOutputStream out, List<T> elements, ElementWriter<T> writer)
            throws IOException {
        out.writeInt(elements.size());
        for (T element : elements) {
            writer.write(out, element);
        }
    }

    static <T> List<T> readList(DataInputStream in, Reader<T> reader) throws IOException {
        int count = checkedLength(in.readInt(), Integer.MAX_VALUE);
        List<T> elements = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            elements.add(reader.read(in));
        }
        return elements;
    }

    static void writeBits(DataOutputStream out, BitSet bits) throws IOException {
        byte[] bytes = bits.toByteArray();
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static BitSet readBits(DataInputStream in) throws IOException {
        byte[] bytes = new byte[checkedLength(in.readInt(), MAX_BITS_BYTES)];
        in.readFully(bytes);
        return BitSet.valueOf(bytes);
    }

    static int checkedLength(int length, int max) throws IOException {
        if (length < 0 || length > max) {
            throw new IOException("length " + length + " out of bounds (0.." + max + ")");
        }
        return length;
    }

    /** Values may exceed writeUTF's 64 KiB limit. */
    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInputStream in) throws IOException {
        return readString(in, in.readInt());
    }

    /** A string that may be absent (a tombstone's value): absent is written as length -1. */
    static void writeOptionalString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
        } else {
            writeString(out, s);
        }
    }

    static String readOptionalString(DataInputStream in) throws IOException {
        int length = in.readInt();
        return length == -1 ? null : readString(in, length);
    }

    /** The {@code length} bytes that follow, as UTF-8, once the length is checked. */
    private static String readString(DataInputStream in, int length) throws IOException {
        byte[] bytes = new byte[checkedLength(length, MAX_STRING_BYTES)];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    static byte[] write(Writer writer) {
        return write(64, writer);
    }

    /**
     * What {@code writer} writes, in a buffer sized for {@code expectedBytes} from the start: a
     * large value then costs one copy into the buffer and one out, not a copy per doubling.
     */
    static byte[] write(int expectedBytes, Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, expectedBytes));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static <T> T read(byte[] bytes, Reader<T> reader) {
        return read(new ByteArrayInputStream(bytes), reader);
    }

    /** Straight from a Raft message or log entry, without copying it into an array first. */
    static <T> T read(ByteString bytes, Reader<T> reader) {
        return read(bytes.newInput(), reader);
    }

    private static <T> T read(InputStream bytes, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(bytes)) {
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException("malformed partition message", e);
        }
    }
}
