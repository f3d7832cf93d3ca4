package io.kvs.http.peer;

import io.kvs.raft.partition.Outcome;
import io.kvs.raft.engine.LocalReplica;
import io.kvs.raft.partition.PartitionCodec;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** The binary form of a replica's answer on the internal API (values keep their causal metadata exactly). */
public final class ReplicaAnswers {
    private ReplicaAnswers() {
    }

    public static byte[] encode(LocalReplica.Answer answer) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(answer.status().code());
            out.writeLong(answer.appliedIndex());
            out.writeLong(answer.hintId());
            out.writeBoolean(answer.value() != null);
            if (answer.value() != null) {
                PartitionCodec.writeValue(out, answer.value());
            }
        }
        return bytes.toByteArray();
    }

    public static LocalReplica.Answer decode(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            Outcome status = Outcome.ofCode(in.readByte());
            long applied = in.readLong();
            long hintId = in.readLong();
            return new LocalReplica.Answer(status, in.readBoolean() ? PartitionCodec.readValue(in) : null, applied, hintId);
        }
    }
}
