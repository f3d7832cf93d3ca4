package io.kvs.raft.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NativeStoreLibraryTest {
    @TempDir
    Path dir;

    @Test
    void copiesTheLibraryOnceAndReusesIt() throws IOException {
        Path library = NativeStoreLibrary.extract(dir);
        assertTrue(Files.size(library) > 1 << 20, "the library is megabytes: " + Files.size(library));
        FileTime written = FileTime.fromMillis(1_000);
        Files.setLastModifiedTime(library, written);

        assertEquals(library, NativeStoreLibrary.extract(dir));
        assertEquals(written, Files.getLastModifiedTime(library), "a complete copy is not written again");
        assertEquals(List.of(library), files());
    }

    @Test
    void replacesATruncatedCopy() throws IOException {
        Path library = NativeStoreLibrary.extract(dir);
        long size = Files.size(library);
        Files.write(library, new byte[4096]);

        assertEquals(library, NativeStoreLibrary.extract(dir));
        assertEquals(size, Files.size(library));
    }

    @Test
    void removesOtherVersionsAndLeftovers() throws IOException {
        Path stale = Files.createDirectories(dir.resolve("0badc0de")).resolve("librocksdbjnijni-linux64.so");
        Files.write(stale, new byte[100]);
        Path partial = Files.write(dir.resolve("leftover.partial"), new byte[100]);

        Path library = NativeStoreLibrary.extract(dir);

        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(partial));
        assertEquals(List.of(library), files());
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }
}
