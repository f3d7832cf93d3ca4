package io.kvs.core.key;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** What a key and a value must look like (CONTRACT.md §3). */
public final class KeyRules {
    public static final int MAX_KEY_LENGTH = 200;
    /** 1 MiB, counted in UTF-8 bytes: what the value costs to store and replicate. */
    public static final int MAX_VALUE_BYTES = 1024 * 1024;

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_]{1," + MAX_KEY_LENGTH + "}");

    private KeyRules() {
    }

    public static String requireValidKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new KvsException(ErrorCode.KEY_INVALID);
        }
        return key;
    }

    public static String requireValidValue(String value) {
        if (value == null) {
            throw new KvsException(ErrorCode.VALUE_MISSING);
        }
        // Cheap bound first: a UTF-8 character takes at most 3 bytes per UTF-16 unit.
        if (value.length() * 3L > MAX_VALUE_BYTES
                && value.getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
            throw new KvsException(ErrorCode.VALUE_TOO_LARGE);
        }
        return value;
    }
}
