package io.kvs.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The causal payload of the last answer, kept in a file between commands so that each command
 * follows the ones before it (CONTRACT §4: a client passes back what its last answer gave it).
 * The file is JSON with its format's version: {@code {"v":1,"causal_payload":"..."}}; it is
 * replaced whole (a new file moved over the old one), so a crash leaves the old or the new.
 */
final class Session {
    static final int FORMAT = 1;
    private static final Gson GSON = new Gson();

    private final Path file;

    Session(Path file) {
        this.file = file;
    }

    /** The payload to send: the last one saved, or empty for a session that has none. */
    String payload() {
        if (!Files.exists(file)) {
            return "";
        }
        JsonObject saved;
        try {
            saved = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), JsonObject.class);
        } catch (IOException | JsonParseException e) {
            throw new CliException("the session file " + file + " cannot be read (" + e.getMessage()
                    + "); delete it to start a new session");
        }
        if (saved == null || !saved.has("v") || saved.get("v").getAsInt() != FORMAT) {
            throw new CliException("the session file " + file + " is of another format than " + FORMAT
                    + "; delete it to start a new session");
        }
        return saved.has("causal_payload") ? saved.get("causal_payload").getAsString() : "";
    }

    /** Keeps {@code payload} for the next command. */
    void save(String payload) {
        if (payload == null) {
            return;
        }
        JsonObject saved = new JsonObject();
        saved.addProperty("v", FORMAT);
        saved.addProperty("causal_payload", payload);
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path next = Files.createTempFile(dir, ".session", ".tmp");
            Files.writeString(next, GSON.toJson(saved), StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException("the session file " + file + " cannot be written: " + e.getMessage());
        }
    }
}
