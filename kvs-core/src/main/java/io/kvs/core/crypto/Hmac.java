package io.kvs.core.crypto;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/** HMAC-SHA-256 with one key, usable from any thread (a MAC instance per thread). */
public final class Hmac {
    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

    public Hmac(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** The first {@code bytes} bytes of the MAC of {@code text} (UTF-8). */
    public byte[] sign(String text, int bytes) {
        return Arrays.copyOf(macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8)), bytes);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
