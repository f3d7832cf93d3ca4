package io.kvs.raft.server;

import org.apache.ratis.proto.RaftProtos.FileChunkProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto.SnapshotChunkProto;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MappedSnapshotChunksTest {
    private static FileChunkProto chunk(String filename, byte[] content, int offset, int length) {
        return FileChunkProto.newBuilder().setFilename(filename).setTotalSize(content.length).setChunkIndex(1)
                .setOffset(offset).setData(ByteString.copyFrom(content, offset, length)).build();
    }

    private static InstallSnapshotRequestProto request(FileChunkProto... chunks) {
        return InstallSnapshotRequestProto.newBuilder()
                .setSnapshotChunk(SnapshotChunkProto.newBuilder().setRequestId("r").addAllFileChunks(List.of(chunks)))
                .build();
    }

    @Test
    void eachChunkCarriesTheSameBytesMappedFromItsFileNotFromTheHeap(@TempDir Path dir) throws IOException {
        byte[] content = new byte[300_000];
        new Random(3).nextBytes(content);
        Path file = dir.resolve("sm/checkpoint.1_9/000007.sst");
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        InstallSnapshotRequestProto request = request(chunk("checkpoint.1_9/000007.sst", content, 100_000, 150_000));

        InstallSnapshotRequestProto mapped = MappedSnapshotChunks.mapped(request, List.of(dir.resolve("other"), file));

        assertEquals(request, mapped, "the same request, byte for byte");
        ByteString data = mapped.getSnapshotChunk().getFileChunks(0).getData();
        assertFalse(data.asReadOnlyByteBuffer().hasArray(), "mapped from the file, not a copy in the heap");
        assertTrue(data.asReadOnlyByteBuffer().isDirect());
    }

    @Test
    void aChunkOfAFileNotInTheSnapshotOrARequestWithoutChunksIsLeftAsItIs(@TempDir Path dir) {
        InstallSnapshotRequestProto unknown = request(chunk("checkpoint.1_9/000008.sst", new byte[10], 0, 10));
        InstallSnapshotRequestProto mapped = MappedSnapshotChunks.mapped(unknown, List.of(dir.resolve("000007.sst")));
        assertEquals(unknown, mapped);
        assertTrue(mapped.getSnapshotChunk().getFileChunks(0).getData().asReadOnlyByteBuffer().hasArray()
                || !mapped.getSnapshotChunk().getFileChunks(0).getData().asReadOnlyByteBuffer().isDirect());
        InstallSnapshotRequestProto notification = InstallSnapshotRequestProto.getDefaultInstance();
        assertSame(notification, MappedSnapshotChunks.mapped(notification, List.of()));
    }
}
