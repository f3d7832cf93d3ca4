package io.kvs.raft.partition;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.VersionVector;
import io.kvs.core.causal.VersionedValue;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncodedValueTest {

    @Test
    void readsBackExactlyWhatWriteValueWroteForManyRandomValues() throws IOException {
        Random random = new Random(17);
        for (int i = 0; i < 2_000; i++) {
            VersionedValue value = randomValue(random);
            byte[] written = BinaryFormat.write(out -> PartitionCodec.writeValue(out, value));
            byte[] followed = Arrays.copyOf(written, written.length + 3); // what comes next is not read
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(followed));
            EncodedValue read = EncodedValue.read(in);
            assertEquals(3, in.available(), "read exactly one value");
            assertEquals(EncodedValue.of(value), read);
            assertEquals(value, read.decode());
            assertEquals(value.isTombstone(), read.isTombstone());
            assertEquals(written.length, read.size());
        }
    }

    @Test
    void aStoreRecordIsTheValueAfterItsFormatByte() {
        VersionedValue value = new VersionedValue("v", 1_000, "a:1", VersionVector.of(3, Map.of()));
        byte[] stored = StoreLayout.encodeValue(value);
        assertArrayEquals(stored, StoreLayout.storedValue(StoreLayout.encodedValue(stored)));
        assertEquals(value, StoreLayout.encodedValue(stored).decode());
        stored[0] = 9;
        assertThrows(IllegalStateException.class, () -> StoreLayout.encodedValue(stored), "an unknown format is refused");
    }

    @Test
    void aMalformedValueIsRefusedWhereItIsRead() {
        VersionedValue value = new VersionedValue("value", 1_000, "a:1", VersionVector.of(3, Map.of("b:1", 2L)));
        byte[] written = BinaryFormat.write(out -> PartitionCodec.writeValue(out, value));
        for (int cut = 0; cut < written.length; cut++) {
            byte[] truncated = Arrays.copyOf(written, cut);
            assertThrows(IOException.class, () -> EncodedValue.read(stream(truncated)), "cut at " + cut);
        }
        byte[] hugeValue = written.clone();
        ByteBuffer.wrap(hugeValue).putInt(Integer.MAX_VALUE);
        assertThrows(IOException.class, () -> EncodedValue.read(stream(hugeValue)));
        byte[] negativeValue = written.clone();
        ByteBuffer.wrap(negativeValue).putInt(-2);
        assertThrows(IOException.class, () -> EncodedValue.read(stream(negativeValue)));
        int sitesAt = 4 + 5 + 8 + 2 + 3 + 8; // value, timestamp, origin "a:1", Raft counter
        byte[] negativeSites = written.clone();
        ByteBuffer.wrap(negativeSites).putShort(sitesAt, (short) -1);
        assertThrows(IOException.class, () -> EncodedValue.read(stream(negativeSites)));
    }

    @Test
    void aTombstoneIsKnownWithoutDecoding() {
        assertTrue(EncodedValue.of(new VersionedValue(null, 1, "a:1", VersionVector.of(1, Map.of()))).isTombstone());
        assertFalse(EncodedValue.of(new VersionedValue("", 1, "a:1", VersionVector.of(1, Map.of()))).isTombstone());
    }

    private static DataInputStream stream(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }

    private static VersionedValue randomValue(Random random) {
        String value = random.nextInt(5) == 0 ? null : "v".repeat(random.nextInt(300)) + "é€";
        Map<String, Long> counters = new HashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            counters.put("10.0.0." + random.nextInt(20) + ":8080", (long) random.nextInt(1_000) + 1);
        }
        StringBuilder deps = new StringBuilder("e=" + (random.nextInt(5) + 1));
        for (int g = 0; g < random.nextInt(4); g++) {
            deps.append(";g").append(g).append('=').append(random.nextInt(10_000));
            if (random.nextBoolean()) {
                deps.append(";h").append(g).append("@10.0.0.").append(random.nextInt(9)).append(":8080=")
                        .append(random.nextInt(99) + 1);
            }
        }
        return new VersionedValue(value, random.nextLong() & Long.MAX_VALUE, "10.0.0.1:8080",
                VersionVector.of(random.nextInt(1_000_000), counters), CausalPayload.fromCompactText(deps.toString()));
    }
}
