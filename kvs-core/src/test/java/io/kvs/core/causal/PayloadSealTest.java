package io.kvs.core.causal;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadSealTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final PayloadSeal SEAL = new PayloadSeal("c0ffee12", SECRET);
    private static final CausalPayload PAYLOAD = CausalPayload.empty().withApplied(3, 105).withApplied(0, 7)
            .withHint(3, "10.0.0.22:8080", 4).withViewEpoch(2);

    @Test
    void roundTripsThroughItsOpaqueText() {
        String text = SEAL.seal(PAYLOAD);
        assertTrue(text.matches("[A-Za-z0-9_-]+"), text);
        assertEquals(PAYLOAD, SEAL.open(text));
        assertEquals(Map.of("10.0.0.22:8080", 4L), SEAL.open(text).hintsOf(3));
        assertEquals(CausalPayload.empty(), SEAL.open(SEAL.seal(CausalPayload.empty())));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "9.9.9.9", "1.0.0.4", "garbage!", "aGVsbG8", "%%%", "azE7YzBmZmVlMTI7Z3g9MQ"})
    void foreignOrMalformedPayloadsReadAsEmpty(String text) {
        assertTrue(SEAL.open(text).isEmpty());
        assertTrue(SEAL.open(null).isEmpty());
    }

    @Test
    void aPayloadOfAnotherClusterOrKeyReadsAsEmpty() {
        assertTrue(new PayloadSeal("deadbeef", SECRET).open(SEAL.seal(PAYLOAD)).isEmpty());
        byte[] otherSecret = SECRET.clone();
        otherSecret[0] ^= 1;
        assertTrue(new PayloadSeal("c0ffee12", otherSecret).open(SEAL.seal(PAYLOAD)).isEmpty());
    }

    /** A client that edits its payload (claims an index the group never reached) gets an empty one. */
    @Test
    void aForgedOrAlteredPayloadReadsAsEmpty() {
        String text = new String(Base64.getUrlDecoder().decode(SEAL.seal(PAYLOAD)), StandardCharsets.UTF_8);
        String forged = text.replace("g3=105", "g3=999999999");
        assertTrue(SEAL.open(encode(forged)).isEmpty());
        String unsigned = "k1;c0ffee12;g1=999999999";
        assertTrue(SEAL.open(encode(unsigned)).isEmpty(), "a payload of the earlier, unsigned version");
        Random random = new Random(3);
        byte[] bytes = SEAL.seal(PAYLOAD).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 2_000; i++) {
            byte[] flipped = bytes.clone();
            int at = random.nextInt(flipped.length);
            flipped[at] = (byte) "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".charAt(random.nextInt(64));
            String altered = new String(flipped, StandardCharsets.US_ASCII);
            CausalPayload read = SEAL.open(altered);
            assertTrue(read.isEmpty() || read.equals(PAYLOAD), "an altered payload reads as empty: " + read);
        }
    }

    @Test
    void anOverlongPayloadIsABadRequest() {
        String text = "a".repeat(PayloadSeal.MAX_TEXT_LENGTH + 1);
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(KvsException.class, () -> SEAL.open(text)).code());
        assertTrue(SEAL.open("a".repeat(PayloadSeal.MAX_TEXT_LENGTH)).isEmpty());
    }

    private static String encode(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
