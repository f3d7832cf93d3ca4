package io.kvs.http.api;

import org.eclipse.jetty.util.MultiMap;
import org.eclipse.jetty.util.UrlEncoded;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PlainForm decodes every body without escapes exactly as Jetty's decoder does, and refuses what it refuses. */
class PlainFormTest {
    private static final String[] PIECES = {"a", "b", "val", "=", "&", "&&", "\u00e9", "\u20ac", "\ud83d\ude00", " ", "x=y"};

    @Test
    void decodesLikeJettyOnRandomBodies() throws Exception {
        Random random = new Random(20261204);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder body = new StringBuilder();
            int pieces = random.nextInt(12);
            for (int p = 0; p < pieces; p++) {
                body.append(PIECES[random.nextInt(PIECES.length)]);
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            assertFalse(PlainForm.hasEscapes(bytes));
            assertEquals(jetty(bytes, 100), PlainForm.decode(bytes, 100), body.toString());
        }
    }

    @Test
    void refusesWhatJettyRefuses() throws Exception {
        byte[] notUtf8 = {'v', 'a', 'l', '=', (byte) 0xc3, (byte) 0x28};
        assertThrows(IllegalArgumentException.class, () -> jetty(notUtf8, 100));
        assertThrows(java.nio.charset.CharacterCodingException.class, () -> PlainForm.decode(notUtf8, 100));

        byte[] tooMany = "a=1&b=2&c=3".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IllegalStateException.class, () -> jetty(tooMany, 2));
        assertThrows(IllegalStateException.class, () -> PlainForm.decode(tooMany, 2));
        assertEquals(jetty("a=1&a=2&a=3".getBytes(StandardCharsets.US_ASCII), 2),
                PlainForm.decode("a=1&a=2&a=3".getBytes(StandardCharsets.US_ASCII), 2), "a repeated field counts once");
    }

    @Test
    void leavesEscapedBodiesToJetty() {
        assertTrue(PlainForm.hasEscapes("val=a+b".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(PlainForm.hasEscapes("val=%41".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void takesALargeValueWhole() throws Exception {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("causal_payload=&value=".getBytes(StandardCharsets.US_ASCII));
        byte[] value = "v".repeat(1 << 20).getBytes(StandardCharsets.US_ASCII);
        body.writeBytes(value);
        MultiMap<String> form = PlainForm.decode(body.toByteArray(), 100);
        assertEquals(1 << 20, form.getValue("value", 0).length());
        assertEquals("", form.getValue("causal_payload", 0));
    }

    private static MultiMap<String> jetty(byte[] body, int maxFields) throws Exception {
        MultiMap<String> form = new MultiMap<>();
        UrlEncoded.decodeUtf8To(new ByteArrayInputStream(body), form, body.length + 1, maxFields);
        return form;
    }
}
