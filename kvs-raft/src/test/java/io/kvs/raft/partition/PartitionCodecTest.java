package io.kvs.raft.partition;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.VersionVector;
import io.kvs.core.causal.VersionedValue;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PartitionCodecTest {
    private static final VersionedValue VALUE = new VersionedValue("v", 1_000, "b:1",
            VersionVector.of(2, Map.of("b:1", 3L)), CausalPayload.empty().withApplied(1, 9));

    private static final VersionedValue TOMBSTONE = new VersionedValue(null, 2_000, "c:1",
            VersionVector.of(3, Map.of("b:1", 3L)), CausalPayload.empty());

    /** Puts and imports written before deletes existed have type codes of their own, still read. */
    @Test
    void entriesOfTheFormatBeforeDeletesAreRead() throws IOException {
        ByteArrayOutputStream puts = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(puts)) {
            out.writeByte(1);
            out.writeInt(1);
            out.writeInt(7);
            out.writeUTF("k");
            BinaryFormat.writeString(out, "v");
            out.writeInt(0);
            out.writeLong(42);
            out.writeLong(0);
            out.writeUTF("");
        }
        PartitionCommand command = PartitionCodec.decodeCommand(ByteString.copyFrom(puts.toByteArray()));
        assertEquals(new PartitionCommand.Puts(List.of(new PartitionCommand.Put(7, "k", "v", Map.of(), 42, 0,
                CausalPayload.empty()))).toString(), command.toString());
        ByteArrayOutputStream imported = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(imported)) {
            out.writeByte(3);
            out.writeInt(1);
            out.writeUTF("k");
            PartitionCodec.writeValue(out, VALUE);
        }
        assertEquals(new PartitionCommand.Import(List.of(PartitionCommand.MovedKey.of("k", VALUE))),
                PartitionCodec.decodeCommand(ByteString.copyFrom(imported.toByteArray())));
    }

    @Test
    void applyHintsRoundTrips() {
        PartitionCommand.ApplyHints hints = new PartitionCommand.ApplyHints("b:1", 12,
                List.of(new HintedWrite(11, 40, "k", VALUE, 99), new HintedWrite(12, 41, "j", VALUE, 0)));
        assertEquals(hints, PartitionCodec.decodeCommand(ByteString.copyFrom(PartitionCodec.encode(hints))));
    }

    /** Entries written before hints carried how far they reach: their highest id is that position. */
    @Test
    void applyHintsOfTheEarlierFormatReachTheirHighestId() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(6);
            out.writeUTF("b:1");
            out.writeInt(2);
            PartitionCodec.writeHintedWrite(out, new HintedWrite(5, 40, "k", VALUE, 1));
            PartitionCodec.writeHintedWrite(out, new HintedWrite(8, 41, "j", VALUE, 2));
        }
        PartitionCommand command = PartitionCodec.decodeCommand(ByteString.copyFrom(bytes.toByteArray()));
        assertEquals(8, ((PartitionCommand.ApplyHints) command).upTo());
        assertEquals(2, ((PartitionCommand.ApplyHints) command).writes().size());
    }

    @Test
    void everyCommandRoundTrips() {
        java.util.BitSet slots = new java.util.BitSet();
        slots.set(3);
        slots.set(4095);
        List<PartitionCommand> commands = List.of(
                new PartitionCommand.Puts(List.of(new PartitionCommand.Put(7, "k", "v\u00e9", Map.of("n:1", 3L), 42, 99,
                        CausalPayload.empty().withApplied(2, 5)), new PartitionCommand.Put(1, "j", "x".repeat(70_000)))),
                new PartitionCommand.Freeze(slots), new PartitionCommand.Disown(slots), new PartitionCommand.Adopt(slots),
                new PartitionCommand.Import(List.of(PartitionCommand.MovedKey.of("k", VALUE))),
                new PartitionCommand.Puts(List.of(new PartitionCommand.Put(7, "gone", null, Map.of(), 43, 0,
                        CausalPayload.empty()))),
                new PartitionCommand.Import(List.of(PartitionCommand.MovedKey.of("gone", TOMBSTONE))),
                new PartitionCommand.ApplyHints("b:1", 3, List.of(new HintedWrite(3, 7, "gone", TOMBSTONE, 5))),
                new PartitionCommand.Purge(120, 1_700_000_000_000L, 10_000));
        for (PartitionCommand command : commands) {
            PartitionCommand read = PartitionCodec.decodeCommand(ByteString.copyFrom(PartitionCodec.encode(command)));
            assertEquals(command.toString(), read.toString(), "the same command"); // BitSet and lists compare by content
        }
    }

    @Test
    void repliesQueriesAndPagesRoundTrip() {
        List<WriteReply> writes = List.of(new WriteReply(Outcome.CREATED, 5, 1_000), new WriteReply(Outcome.LATE, 6, 0));
        assertEquals(writes, PartitionCodec.decodeWriteReplies(PartitionCodec.encodeWriteReplies(writes)));
        List<ReadReply> reads = List.of(new ReadReply(Outcome.FOUND, 9, VALUE), new ReadReply(Outcome.NOT_FOUND, 9, null));
        assertEquals(reads, PartitionCodec.decodeReadReplies(PartitionCodec.encodeReadReplies(reads)));
        PartitionQuery.Gets gets = new PartitionQuery.Gets(List.of(new PartitionQuery.Get(1, "k", Map.of("n", 2L))));
        assertEquals(gets, PartitionCodec.decodeQuery(PartitionCodec.encode(gets)));
        ExportPage page = new ExportPage(List.of(PartitionCommand.MovedKey.of("k", VALUE)), new ExportPage.Cursor(3, "k"));
        assertEquals(page, PartitionCodec.decodeExportPage(PartitionCodec.encode(page)));
    }

    /** A length or code that no message of ours carries is refused, before anything is allocated for it. */
    @Test
    void malformedMessagesAreRefused() throws IOException {
        assertThrows(java.io.UncheckedIOException.class, () -> PartitionCodec.decodeCommand(ByteString.copyFrom(new byte[] {99})));
        ByteArrayOutputStream huge = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(huge)) {
            out.writeByte(2); // a Freeze whose bit set claims 2 GB
            out.writeInt(Integer.MAX_VALUE);
        }
        assertThrows(java.io.UncheckedIOException.class, () -> PartitionCodec.decodeCommand(ByteString.copyFrom(huge.toByteArray())));
        byte[] badStatus = PartitionCodec.encodeWriteReplies(List.of(new WriteReply(Outcome.UPDATED, 1, 0)));
        badStatus[4] = 77; // the outcome code of the first reply
        assertThrows(java.io.UncheckedIOException.class, () -> PartitionCodec.decodeWriteReplies(badStatus));
        Random random = new Random(9);
        for (int i = 0; i < 5_000; i++) {
            byte[] garbage = new byte[random.nextInt(64)];
            random.nextBytes(garbage);
            try {
                PartitionCodec.decodeCommand(ByteString.copyFrom(garbage));
            } catch (java.io.UncheckedIOException | IllegalArgumentException expected) {
                // refused, as it should be; anything else (an OutOfMemoryError, an index error) fails the test
            }
        }
    }
}
