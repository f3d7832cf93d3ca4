package io.kvs.raft.hint;

import io.kvs.core.causal.VersionVector;
import io.kvs.core.causal.VersionedValue;
import io.kvs.raft.partition.HintedWrite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HintLogTest {

    private static HintedWrite hint(long id) {
        VersionedValue value = new VersionedValue("value-" + id, 1_000 + id, "n:1", VersionVector.of(0, Map.of("n:1", id)));
        return new HintedWrite(id, (int) id % 7, "key" + id, value, id * 10);
    }

    private static List<Long> ids(HintLog.Opened opened) {
        return opened.hints().stream().map(HintedWrite::id).toList();
    }

    private static long[] recordEnds(Path file, int records) throws IOException {
        // Record boundaries, read from the headers: 4 bytes length, 4 bytes checksum, the body.
        byte[] bytes = Files.readAllBytes(file);
        long[] ends = new long[records];
        int position = 0;
        for (int i = 0; i < records; i++) {
            int length = java.nio.ByteBuffer.wrap(bytes, position, 4).getInt();
            position += 8 + length;
            ends[i] = position;
        }
        return ends;
    }

    private static void append(Path file, long... ids) throws IOException {
        try (HintLog log = HintLog.open(file).log()) {
            for (long id : ids) {
                log.append(hint(id));
            }
        }
    }

    @Test
    void aDeleteHeldAsAHintSurvivesAReopen(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("1.log");
        HintedWrite delete = new HintedWrite(4, 3, "gone", new VersionedValue(null, 2_000, "n:1",
                VersionVector.of(0, Map.of("n:1", 4L))), 77);
        try (HintLog log = HintLog.open(file).log()) {
            log.append(hint(3));
            log.append(delete);
        }
        HintLog.Opened opened = reopen(file);
        assertEquals(List.of(hint(3), delete), opened.hints());
        assertTrue(opened.hints().get(1).value().isTombstone());
    }

    @Test
    void hintsAndTheHighestIdSurviveAReopen(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("1.log");
        append(file, 1, 2, 3);
        HintLog.Opened opened = reopen(file);
        assertEquals(List.of(1L, 2L, 3L), ids(opened));
        assertEquals(3, opened.highestId());
        assertEquals(hint(2), opened.hints().get(1));
    }

    @Test
    void aTornLastRecordIsCutOffQuietly(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("1.log");
        append(file, 1, 2);
        long[] ends = recordEnds(file, 2);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(ends[1] - 5);
        }
        HintLog.Opened opened = HintLog.open(file);
        try (HintLog log = opened.log()) {
            assertEquals(List.of(1L), ids(opened));
            log.append(hint(3)); // appends after the last whole record
        }
        assertEquals(List.of(1L, 3L), ids(reopen(file)));
        assertEquals(List.of(), aside(dir), "a torn tail is not damage");
    }

    @Test
    void aDamagedRecordInTheMiddleIsReportedKeptAsideAndTheRestRecovered(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("1.log");
        append(file, 1, 2, 3);
        long[] ends = recordEnds(file, 3);
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) ends[0] + 12] ^= 0x5a; // a byte inside the second record's body
        Files.write(file, bytes);

        HintLog.Opened opened = reopen(file);
        assertEquals(List.of(1L, 3L), ids(opened), "the records after the damage are kept");
        assertEquals(3, opened.highestId());
        List<Path> aside = aside(dir);
        assertEquals(1, aside.size(), "the damaged file is kept as it was");
        assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(aside.get(0))));
        assertEquals(List.of(1L, 3L), ids(reopen(file)), "the log itself is readable again");
    }

    @Test
    void aResetKeepsTheHighestIdAndLeavesNoHalfWrittenFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("1.log");
        try (HintLog log = HintLog.open(file).log()) {
            log.append(hint(41));
            log.append(hint(42));
            log.reset(42);
            log.append(hint(43));
        }
        HintLog.Opened opened = reopen(file);
        assertEquals(List.of(43L), ids(opened));
        assertEquals(43, opened.highestId());
        // A crash while writing the replacement leaves a partial file beside the log, never read.
        Files.write(dir.resolve("1.log.partial"), new byte[] {1, 2, 3});
        assertEquals(List.of(43L), ids(reopen(file)));
    }

    private static HintLog.Opened reopen(Path file) throws IOException {
        HintLog.Opened opened = HintLog.open(file);
        opened.log().close();
        return opened;
    }

    private static List<Path> aside(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().contains(".damaged-")).toList();
        }
    }
}
