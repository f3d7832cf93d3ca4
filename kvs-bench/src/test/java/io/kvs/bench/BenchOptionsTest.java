package io.kvs.bench;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchOptionsTest {

    @Test
    void defaultsAndEveryOption() {
        BenchOptions defaults = BenchOptions.parse("--target", "kvs", "--endpoints", "127.0.0.11:8080");
        assertEquals(Workload.PUT, defaults.workload());
        assertEquals(16, defaults.clients());
        assertEquals("kvs", defaults.label());

        BenchOptions all = BenchOptions.parse("--target", "ETCD", "--endpoints", "a:1,b:2", "--workload", "mixed",
                "--clients", "64", "--keys", "5", "--value-bytes", "7", "--warmup-seconds", "0", "--seconds", "2",
                "--read-percent", "90", "--label", "etcd 3");
        assertEquals("etcd", all.target());
        assertEquals(List.of("a:1", "b:2"), all.endpoints());
        assertEquals(Workload.MIXED, all.workload());
        assertEquals(64, all.clients());
        assertEquals(5, all.keys());
        assertEquals(7, all.valueBytes());
        assertEquals(Duration.ZERO, all.warmup());
        assertEquals(Duration.ofSeconds(2), all.duration());
        assertEquals(90, all.readPercent());
        assertEquals("etcd 3", all.label());
    }

    @Test
    void badOptionsSayWhatIsWrong() {
        assertMessage("--target is required", "--endpoints", "a:1");
        assertMessage("--target must be kvs or etcd", "--target", "redis", "--endpoints", "a:1");
        assertMessage("an endpoint is host:port", "--target", "kvs", "--endpoints", "http://a:1");
        assertMessage("--clients must be positive", "--target", "kvs", "--endpoints", "a:1", "--clients", "0");
        assertMessage("--clients takes a number", "--target", "kvs", "--endpoints", "a:1", "--clients", "many");
        assertMessage("--workload must be", "--target", "kvs", "--endpoints", "a:1", "--workload", "scan");
        assertMessage("--read-percent must be 0..100", "--target", "kvs", "--endpoints", "a:1", "--read-percent", "101");
        assertMessage("--seconds must be positive", "--target", "kvs", "--endpoints", "a:1", "--seconds", "0");
        assertMessage("unknown option --fast", "--target", "kvs", "--endpoints", "a:1", "--fast", "yes");
        assertMessage("--keys needs a value", "--target", "kvs", "--endpoints", "a:1", "--keys");
    }

    private static void assertMessage(String expected, String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
