package io.kvs.http.faults;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * The hinted writes a causal payload names, read without its signature: a test's way to tell a
 * write the store accepted on one replica alone (CONTRACT.md §4's degraded mode) from one its
 * group committed. Only the first names a hint its client had not seen before.
 *
 * <p>Reads the text {@link io.kvs.core.causal.PayloadSeal} writes: base64url of
 * {@code k2;<tag>;<positions>;<mac>}, positions as {@code CausalPayload#toCompactText} writes
 * them, a hint as {@code h<group>@<node>=<id>}.
 */
final class PayloadHints {
    private PayloadHints() {
    }

    /** Each hinted-write site ({@code group@node}) the payload names, with its highest id; empty for "". */
    static Map<String, Long> of(String payloadText) {
        Map<String, Long> hints = new HashMap<>();
        if (payloadText == null || payloadText.isBlank()) {
            return hints;
        }
        String body = new String(Base64.getUrlDecoder().decode(payloadText.trim()), StandardCharsets.UTF_8);
        String[] parts = body.split(";");
        // The version, the cluster's tag, the positions, the signature last.
        for (int i = 2; i < parts.length - 1; i++) {
            String part = parts[i];
            if (part.startsWith("h")) {
                int eq = part.lastIndexOf('=');
                hints.merge(part.substring(1, eq), Long.parseLong(part.substring(eq + 1)), Math::max);
            }
        }
        return hints;
    }

    /** Whether {@code after} names a hinted write {@code before} did not. */
    static boolean newHint(String before, String after) {
        Map<String, Long> seen = of(before);
        return of(after).entrySet().stream().anyMatch(h -> h.getValue() > seen.getOrDefault(h.getKey(), 0L));
    }
}
