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

import static org.junit.jupiter.api.Assertions.assertEquals;

class PartitionCodecTest {
    private static final VersionedValue VALUE = new VersionedValue("v", 1_000, "b:1",
            VersionVector.of(2, Map.of("b:1", 3L)), CausalPayload.empty().withApplied(1, 9));

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
}
