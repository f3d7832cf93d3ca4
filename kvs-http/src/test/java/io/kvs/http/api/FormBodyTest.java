package io.kvs.http.api;

import org.eclipse.jetty.util.MultiMap;
import org.eclipse.jetty.util.UrlEncoded;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** FormBody decodes every body exactly as Jetty's decoder does, and refuses what it refuses. */
class FormBodyTest {
    private static final String[] PIECES = {"a", "b", "val", "=", "&", "&&", "\u00e9", "\u20ac", "\ud83d\ude00", " ",
            "x=y", "+", "%41", "%c3%a9", "%C3%A9", "%26", "%3D", "%2B", "%25", "%", "%4", "%zz", "%e2%82", "%ff",
            "%F0%9F%98%80", "%00"};

    /**
     * Jetty is the oracle, except where it is lenient: it reads a '%' followed by a character
     * that is not a hex digit as if it were one ("%4=" is 'M'), and makes an incomplete UTF-8
     * sequence at the end of a field U+FFFD or drops the field. Those change what the client
     * sent; they are refused (the JDK's URLDecoder tells them).
     */
    @Test
    void decodesLikeJettyOnRandomBodies() throws Exception {
        Random random = new Random(20261205);
        int refused = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder text = new StringBuilder();
            int pieces = random.nextInt(12);
            for (int p = 0; p < pieces; p++) {
                text.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String body = text.toString();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            MultiMap<String> expected = null;
            try {
                expected = jetty(bytes, 100);
            } catch (IllegalArgumentException jettyRefused) {
                // refused below
            }
            if (expected == null || !wellFormed(body)) {
                refused++;
                assertThrows(Exception.class, () -> FormBody.decode(bytes, 100), body);
            } else {
                assertEquals(expected, FormBody.decode(bytes, 100), body);
            }
        }
        assertTrue(refused > 1_000 && refused < 40_000, "both kinds of body were tried: " + refused + " refused");
    }

    @Test
    void anEncodedValueComesBackWhole() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 1_000; i++) {
            String value = random.ints(random.nextInt(200), 0, 0x2FFF)
                    .filter(c -> !Character.isSurrogate((char) c))
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            byte[] body = ("causal_payload=&val=" + URLEncoder.encode(value, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.US_ASCII);
            assertEquals(value, FormBody.decode(body, 100).getValue("val", 0));
        }
    }

    @Test
    void refusesWhatJettyRefuses() throws Exception {
        byte[] notUtf8 = {'v', 'a', 'l', '=', (byte) 0xc3, (byte) 0x28};
        assertThrows(IllegalArgumentException.class, () -> jetty(notUtf8, 100));
        assertThrows(java.nio.charset.CharacterCodingException.class, () -> FormBody.decode(notUtf8, 100));
        byte[] escapedNotUtf8 = "val=%c3%28".getBytes(StandardCharsets.US_ASCII);
        assertThrows(java.nio.charset.CharacterCodingException.class, () -> FormBody.decode(escapedNotUtf8, 100));
        for (String bad : new String[]{"val=%zz", "val=abc%", "val=a%2", "%g1=x"}) {
            assertThrows(IllegalArgumentException.class, () -> FormBody.decode(bad.getBytes(StandardCharsets.US_ASCII), 100),
                    bad);
        }

        byte[] tooMany = "a=1&b=2&c=3".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IllegalStateException.class, () -> jetty(tooMany, 2));
        assertThrows(IllegalStateException.class, () -> FormBody.decode(tooMany, 2));
        assertEquals(jetty("a=1&a=2&a=3".getBytes(StandardCharsets.US_ASCII), 2),
                FormBody.decode("a=1&a=2&a=3".getBytes(StandardCharsets.US_ASCII), 2), "a repeated field counts once");
    }

    @Test
    void takesALargeValueWholeWithOrWithoutEscapes() throws Exception {
        for (String value : new String[]{"v".repeat(1 << 20), "key:".repeat(1 << 18)}) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            body.writeBytes("causal_payload=&value=".getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(URLEncoder.encode(value, StandardCharsets.UTF_8).getBytes(StandardCharsets.US_ASCII));
            MultiMap<String> form = FormBody.decode(body.toByteArray(), 100);
            if (!value.equals(form.getValue("value", 0))) {
                fail("a value of " + value.length() + " characters came back changed");
            }
            assertEquals("", form.getValue("causal_payload", 0));
        }
    }

    /** Whether every field's escapes are two hex digits and make UTF-8, by the JDK's decoder. */
    private static boolean wellFormed(String body) {
        for (String field : body.split("&", -1)) {
            try {
                if (URLDecoder.decode(field, StandardCharsets.UTF_8).contains("\ufffd")) {
                    return false;
                }
            } catch (IllegalArgumentException malformed) {
                return false;
            }
        }
        return true;
    }

    private static MultiMap<String> jetty(byte[] body, int maxFields) throws Exception {
        MultiMap<String> form = new MultiMap<>();
        UrlEncoded.decodeUtf8To(new ByteArrayInputStream(body), form, body.length + 1, maxFields);
        return form;
    }
}
