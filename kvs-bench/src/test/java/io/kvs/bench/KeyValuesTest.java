package io.kvs.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyValuesTest {
    @Test
    void aKeysValueIsLedByTheKeyHasTheSizeAndIsTheSameEveryTime() {
        KeyValues values = new KeyValues(100);
        String value = values.of("bench42");
        assertEquals(100, value.length());
        assertEquals(100, value.getBytes(StandardCharsets.UTF_8).length);
        assertTrue(value.startsWith("bench42:"));
        assertEquals(value, new KeyValues(100).of("bench42"));
        assertNotEquals(value.substring(8), values.of("bench43").substring(8));
        assertTrue(value.matches("[A-Za-z0-9_:-]+"), "nothing to escape: " + value);
    }

    @Test
    void aValueShorterThanItsKeyIsTheKeyCutShort() {
        assertEquals("benc", new KeyValues(4).of("bench42"));
        assertEquals("", new KeyValues(0).of("bench42"));
    }

    /** A megabyte of it barely compresses: a store pays for what it holds. */
    @Test
    void aLargeValueDoesNotCompress() {
        byte[] value = new KeyValues(1 << 20).of("bench7").getBytes(StandardCharsets.US_ASCII);
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        deflater.setInput(value);
        deflater.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        while (!deflater.finished()) {
            out.write(buffer, 0, deflater.deflate(buffer));
        }
        assertTrue(out.size() > value.length * 0.7, "compressed to " + out.size() + " of " + value.length);
    }
}
