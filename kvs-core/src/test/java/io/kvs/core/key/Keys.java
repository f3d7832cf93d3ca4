package io.kvs.core.key;

import java.util.Random;

/** Random valid keys for property tests. */
public final class Keys {
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

    private Keys() {
    }

    public static String random(Random random) {
        int length = 1 + random.nextInt(24);
        StringBuilder key = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            key.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return key.toString();
    }
}
