package io.kvs.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionTest {

    @Test
    void aSavedPayloadIsSentNextTime(@TempDir Path dir) {
        Session session = new Session(dir.resolve("nested").resolve("session"));
        assertEquals("", session.payload(), "a new session has seen nothing");
        session.save("p1");
        session.save("p2");
        assertEquals("p2", new Session(dir.resolve("nested").resolve("session")).payload());
    }

    @Test
    void aFileOfAnotherFormatOrDamagedIsRefusedWithWhatToDo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("session");
        Files.writeString(file, "{\"v\":2,\"causal_payload\":\"x\"}");
        CliException other = assertThrows(CliException.class, () -> new Session(file).payload());
        assertTrue(other.getMessage().contains("delete it"), other.getMessage());
        Files.writeString(file, "{not json");
        assertThrows(CliException.class, () -> new Session(file).payload());
    }
}
