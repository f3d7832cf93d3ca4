package io.kvs.core.key;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KeyRulesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "Z", "0", "_", "key_1", "ABCxyz_0123456789"})
    void acceptsKeysOfLettersDigitsAndUnderscores(String key) {
        assertEquals(key, KeyRules.requireValidKey(key));
    }

    @Test
    void acceptsKeyOfExactly200Characters() {
        String key = "k".repeat(200);
        assertEquals(key, KeyRules.requireValidKey(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a-b", "a b", "a.b", "ключ", "a/b", "a\nb", "é"})
    void rejectsOtherKeys(String key) {
        KvsException e = assertThrows(KvsException.class, () -> KeyRules.requireValidKey(key));
        assertEquals(ErrorCode.KEY_INVALID, e.code());
        assertEquals(400, e.httpStatus());
    }

    @Test
    void rejectsNullAndOverlongKeys() {
        assertEquals(ErrorCode.KEY_INVALID, assertThrows(KvsException.class, () -> KeyRules.requireValidKey(null)).code());
        assertEquals(ErrorCode.KEY_INVALID,
                assertThrows(KvsException.class, () -> KeyRules.requireValidKey("k".repeat(201))).code());
    }

    @Test
    void missingValueIsItsOwnError() {
        KvsException e = assertThrows(KvsException.class, () -> KeyRules.requireValidValue(null));
        assertEquals(ErrorCode.VALUE_MISSING, e.code());
    }

    @Test
    void emptyValueIsAValue() {
        assertEquals("", KeyRules.requireValidValue(""));
    }

    @Test
    void valueLimitIsOneMebibyteOfUtf8() {
        String atLimit = "v".repeat(KeyRules.MAX_VALUE_BYTES);
        assertEquals(atLimit, KeyRules.requireValidValue(atLimit));
        KvsException e = assertThrows(KvsException.class, () -> KeyRules.requireValidValue(atLimit + "v"));
        assertEquals(ErrorCode.VALUE_TOO_LARGE, e.code());
        assertEquals(413, e.httpStatus());

        String twoByteChars = "é".repeat(KeyRules.MAX_VALUE_BYTES / 2 + 1);
        assertEquals(ErrorCode.VALUE_TOO_LARGE,
                assertThrows(KvsException.class, () -> KeyRules.requireValidValue(twoByteChars)).code());
        String twoByteCharsAtLimit = "é".repeat(KeyRules.MAX_VALUE_BYTES / 2);
        assertEquals(twoByteCharsAtLimit, KeyRules.requireValidValue(twoByteCharsAtLimit));
    }
}
