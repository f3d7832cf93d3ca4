package io.kvs.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LoadGeneratorTest {
    @Test
    void retryAfterIsReadInWholeSecondsAndAnythingElseIsNoRequest() {
        assertEquals(1_000, LoadGenerator.retryAfterMillis("1"));
        assertEquals(0, LoadGenerator.retryAfterMillis("0"));
        assertEquals(0, LoadGenerator.retryAfterMillis(null));
        assertEquals(0, LoadGenerator.retryAfterMillis("Wed, 21 Oct 2026 07:28:00 GMT"), "a date: not followed");
        assertEquals(0, LoadGenerator.retryAfterMillis("-1"));
        assertEquals(0, LoadGenerator.retryAfterMillis("99999"), "beyond a few hours: not followed");
    }
}
