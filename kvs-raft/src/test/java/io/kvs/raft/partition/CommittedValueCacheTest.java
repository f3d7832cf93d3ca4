package io.kvs.raft.partition;

import io.kvs.core.causal.VersionVector;
import io.kvs.core.causal.VersionedValue;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommittedValueCacheTest {
    @Test
    void keepsTheLatestValueOfEachKey() {
        CommittedValueCache cache = new CommittedValueCache(1 << 20);
        VersionedValue first = value("one");
        VersionedValue second = value("two");
        cache.put("k", first);
        cache.put("k", second);
        assertSame(second, cache.get("k"));
        assertEquals(1, cache.size());
        cache.remove("k");
        assertNull(cache.get("k"));
    }

    @Test
    void aLargeValueReplacesNothingButRemovesTheKey() {
        CommittedValueCache cache = new CommittedValueCache(1 << 20);
        cache.put("k", value("small"));
        cache.put("k", value("x".repeat(CommittedValueCache.MAX_VALUE_CHARS + 1)));
        assertNull(cache.get("k"), "the stale small value must not stay");
        assertEquals(0, cache.size());
    }

    @Test
    void staysWithinItsBytesDroppingTheLeastRecentlyUsed() {
        CommittedValueCache cache = new CommittedValueCache(64 << 10);
        for (int i = 0; i < 10_000; i++) {
            cache.put("key" + i, value("v".repeat(100)));
            cache.get("key0");
        }
        assertTrue(cache.size() < 300, "bounded: " + cache.size());
        assertTrue(cache.size() > 100, "yet holds what fits: " + cache.size());
        assertEquals("v".repeat(100), cache.get("key0").value(), "a key read again and again stays");
        assertNull(cache.get("key1"));
        cache.clear();
        assertEquals(0, cache.size());
    }

    private static VersionedValue value(String text) {
        return new VersionedValue(text, 1_000, "a:1", VersionVector.of(1, Map.of()));
    }
}
