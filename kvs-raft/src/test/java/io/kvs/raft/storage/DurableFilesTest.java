package io.kvs.raft.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void aReplacementReplacesTheWholeFile() throws IOException {
        Path target = Files.writeString(dir.resolve("file"), "old content");
        DurableFiles.replace(target, out -> out.write("new".getBytes()));
        assertEquals("new", Files.readString(target));
        assertEquals(List.of(target), files());
    }

    @Test
    void aReplacementThatFailsLeavesTheOldFileAndNothingElse() throws IOException {
        Path target = Files.writeString(dir.resolve("file"), "old content");
        assertThrows(IOException.class, () -> DurableFiles.replace(target, out -> {
            out.write(new byte[1 << 20]);
            throw new IOException("No space left on device");
        }));
        assertEquals("old content", Files.readString(target));
        assertEquals(List.of(target), files(), "the partial copy is gone");
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> all = Files.list(dir)) {
            return all.toList();
        }
    }
}
