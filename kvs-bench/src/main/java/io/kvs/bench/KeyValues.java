package io.kvs.bench;

import java.util.SplittableRandom;

/**
 * The value each key is written with: the key and a colon, then pseudo-random letters, digits,
 * '-' and '_' up to the value's size, the same for a key in every run. Random, so that a store
 * that compresses its data (kvs's RocksDB does) pays for what a user's data would cost it, not
 * for a run of one letter; led by its key, so that a key read back shows it holds its own value.
 * The 64 characters need no escaping in a form or a URL, and each is one byte in UTF-8.
 */
final class KeyValues {
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
    private static final int BITS_PER_CHAR = 6;
    private static final int CHARS_PER_LONG = Long.SIZE / BITS_PER_CHAR;

    private final int size;

    /** @param size every value's length, in characters (and bytes) */
    KeyValues(int size) {
        this.size = size;
    }

    String of(String key) {
        char[] value = new char[size];
        String lead = key + ":";
        int i = Math.min(lead.length(), size);
        lead.getChars(0, i, value, 0);
        SplittableRandom random = new SplittableRandom(key.hashCode() * 0x9E3779B97F4A7C15L);
        while (i < size) {
            long bits = random.nextLong();
            for (int c = 0; c < CHARS_PER_LONG && i < size; c++, bits >>>= BITS_PER_CHAR) {
                value[i++] = ALPHABET[(int) (bits & (ALPHABET.length - 1))];
            }
        }
        return new String(value);
    }
}
