package io.kvs.raft.auth;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterSecretTest {
    private final AtomicLong now = new AtomicLong(1_800_000_000);
    private final ClusterSecret secret = new ClusterSecret("s3cret", now::get);

    @Test
    void aTokenIsGoodForItsScopeAndSecretOnly() {
        String token = secret.token("http POST /internal/join");
        assertTrue(secret.accepts(token, "http POST /internal/join"));
        assertFalse(secret.accepts(token, "http POST /internal/leave"), "another call");
        assertFalse(new ClusterSecret("other", now::get).accepts(token, "http POST /internal/join"), "another secret");
        for (String bad : new String[]{null, "", ".", "123", "123.", "x.abc", "1800000000.!!", token + "A",
                "99999999999999999999999.abc"}) {
            assertFalse(secret.accepts(bad, "http POST /internal/join"), String.valueOf(bad));
        }
    }

    @Test
    void aTokenIsGoodForFiveMinutesEitherSide() {
        String token = secret.token("scope");
        now.addAndGet(ClusterSecret.MAX_SKEW_SECONDS);
        assertTrue(secret.accepts(token, "scope"));
        now.addAndGet(1);
        assertFalse(secret.accepts(token, "scope"), "too old");
        now.set(1_800_000_000 - ClusterSecret.MAX_SKEW_SECONDS - 1);
        assertFalse(secret.accepts(token, "scope"), "from too far ahead");
    }

    @Test
    void noSecretMeansNoAuthentication() {
        assertTrue(ClusterSecret.of(null).isEmpty());
        assertTrue(ClusterSecret.of("  ").isEmpty());
        assertTrue(ClusterSecret.of("x").isPresent());
    }
}
