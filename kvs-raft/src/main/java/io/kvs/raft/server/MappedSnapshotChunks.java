package io.kvs.raft.server;

import org.apache.ratis.proto.RaftProtos.FileChunkProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto.SnapshotChunkProto;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;

/**
 * A leader's install-snapshot requests with their file data mapped from the snapshot's files
 * instead of held in the heap. Ratis keeps each request it sent reachable for its request
 * timeout (its timeout check holds it), so while a follower takes a snapshot, the chunks of the
 * last seconds stay in the leader's heap: at tens of megabytes a second, more than a small heap
 * holds. A mapped chunk costs the heap a few small objects; its bytes are the file's pages in the OS cache.
 * Snapshot files are never changed once written (checkpoints are hard links to table files), so
 * a mapping stays valid while a request holds it, even if the snapshot is deleted meanwhile.
 */
final class MappedSnapshotChunks {
    private static final Logger LOG = LoggerFactory.getLogger(MappedSnapshotChunks.class);

    private MappedSnapshotChunks() {
    }

    /** {@code requests}, as Ratis made them for {@code snapshot}, each with its data mapped. */
    static Iterable<InstallSnapshotRequestProto> of(Iterable<InstallSnapshotRequestProto> requests, SnapshotInfo snapshot) {
        List<Path> files = snapshot.getFiles().stream().map(FileInfo::getPath).toList();
        return () -> {
            Iterator<InstallSnapshotRequestProto> each = requests.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return each.hasNext();
                }

                @Override
                public InstallSnapshotRequestProto next() {
                    return mapped(each.next(), files);
                }
            };
        };
    }

    /** {@code request} with each of its file chunks' data mapped from the file of {@code files} it names. */
    static InstallSnapshotRequestProto mapped(InstallSnapshotRequestProto request, List<Path> files) {
        if (!request.hasSnapshotChunk()) {
            return request;
        }
        SnapshotChunkProto.Builder chunks = request.getSnapshotChunk().toBuilder();
        for (int i = 0; i < chunks.getFileChunksCount(); i++) {
            FileChunkProto chunk = chunks.getFileChunks(i);
            Path file = fileNamed(chunk.getFilename(), files);
            if (file == null || chunk.getData().isEmpty()) {
                continue;
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                MappedByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, chunk.getOffset(), chunk.getData().size());
                chunks.setFileChunks(i, chunk.toBuilder().setData(UnsafeByteOperations.unsafeWrap(data)));
            } catch (IOException | RuntimeException e) {
                // The chunk as Ratis read it is as good, only kept in the heap.
                LOG.debug("chunk {} of {} not mapped: {}", chunk.getChunkIndex(), file, e.toString());
            }
        }
        return request.toBuilder().setSnapshotChunk(chunks).build();
    }

    /** The file of {@code files} that Ratis names {@code filename} (a path relative to the group's directory), or null. */
    private static Path fileNamed(String filename, List<Path> files) {
        Path named = Path.of(filename);
        for (Path file : files) {
            if (file.endsWith(named)) {
                return file;
            }
        }
        return null;
    }
}
