package io.kvs.core.causal;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;

import io.kvs.core.crypto.Hmac;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Turns a {@link CausalPayload} into the opaque text clients carry, and back. The text names the
 * cluster (its tag) and is signed with a key only the cluster knows (HMAC-SHA-256), so that a
 * payload this cluster did not issue, forged or altered, reads as empty, like one from another
 * cluster: a client cannot make a replica wait for, or promise its readers, positions that do
 * not exist.
 *
 * <p>Text: base64url of {@code k2;<tag>;<positions>;<mac>}, the mac over everything before it.
 * Payloads of an earlier version read as empty.
 */
public final class PayloadSeal {
    private static final String VERSION = "k2";
    /** Longer payload text is refused (400) rather than read: no cluster issues one that long. */
    public static final int MAX_TEXT_LENGTH = 64 * 1024;
    private static final int MAC_BYTES = 16;
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private final String tag;
    private final Hmac hmac;

    /** @param secret the cluster's signing key: at least 16 bytes, random, never sent to clients */
    public PayloadSeal(String tag, byte[] secret) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("a payload signing key has at least 16 bytes");
        }
        this.tag = tag;
        this.hmac = new Hmac(secret);
    }

    /** The opaque text for {@code payload}. */
    public String seal(CausalPayload payload) {
        String body = VERSION + ";" + tag + ";" + payload.toCompactText();
        return BASE64.encodeToString((body + ";" + BASE64.encodeToString(mac(body))).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The payload a client passed back: empty when the text is blank, malformed, of another
     * version or cluster, or not signed by this cluster; a bad request when it is longer than
     * {@link #MAX_TEXT_LENGTH}.
     */
    public CausalPayload open(String text) {
        if (text == null || text.isBlank()) {
            return CausalPayload.empty();
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "causal_payload is longer than " + MAX_TEXT_LENGTH
                    + " characters: pass back the causal_payload of the last answer");
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(text.trim()), StandardCharsets.UTF_8);
            int lastSeparator = decoded.lastIndexOf(';');
            if (lastSeparator < 0) {
                return CausalPayload.empty();
            }
            String body = decoded.substring(0, lastSeparator);
            byte[] claimed = Base64.getUrlDecoder().decode(decoded.substring(lastSeparator + 1));
            String[] parts = body.split(";", 3);
            if (parts.length < 3 || !VERSION.equals(parts[0]) || !tag.equals(parts[1])
                    || !MessageDigest.isEqual(claimed, mac(body))) {
                return CausalPayload.empty();
            }
            return CausalPayload.fromCompactText(parts[2]);
        } catch (IllegalArgumentException malformed) {
            return CausalPayload.empty();
        }
    }

    private byte[] mac(String body) {
        return hmac.sign(body, MAC_BYTES);
    }
}
