package io.kvs.core.causal;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;

import static io.kvs.core.causal.VersionVector.Order.AFTER;
import static io.kvs.core.causal.VersionVector.Order.BEFORE;
import static io.kvs.core.causal.VersionVector.Order.CONCURRENT;
import static io.kvs.core.causal.VersionVector.Order.EQUAL;
import static org.junit.jupiter.api.Assertions.assertEquals;

class VersionVectorTest {

    @Test
    void raftWritesAreTotallyOrdered() {
        VersionVector one = VersionVector.EMPTY.nextRaft();
        VersionVector two = one.nextRaft();
        assertEquals(BEFORE, one.compareTo(two));
        assertEquals(AFTER, two.compareTo(one));
        assertEquals(EQUAL, two.compareTo(one.nextRaft()));
    }

    @Test
    void writesOnBothSidesOfAPartitionAreConcurrent() {
        VersionVector base = VersionVector.EMPTY.nextRaft();
        VersionVector left = base.nextAt("a:1");
        VersionVector right = base.nextRaft();
        assertEquals(CONCURRENT, left.compareTo(right));
        VersionVector merged = left.merge(right);
        assertEquals(AFTER, merged.compareTo(left));
        assertEquals(AFTER, merged.compareTo(right));
        assertEquals(Map.of("a:1", 1L), merged.nodeCounters());
        assertEquals(2, merged.raft());
    }

    @Test
    void compareAgreesWithPointwiseDefinition() {
        Random random = new Random(3);
        String[] sites = {"a:1", "b:1", "c:1"};
        for (int i = 0; i < 20_000; i++) {
            long[] x = new long[4];
            long[] y = new long[4];
            VersionVector vx = randomVector(random, sites, x);
            VersionVector vy = randomVector(random, sites, y);
            boolean less = false;
            boolean greater = false;
            for (int j = 0; j < 4; j++) {
                less |= x[j] < y[j];
                greater |= x[j] > y[j];
            }
            VersionVector.Order expected = less && greater ? CONCURRENT : less ? BEFORE : greater ? AFTER : EQUAL;
            assertEquals(expected, vx.compareTo(vy), vx + " vs " + vy);
            assertEquals(vx.merge(vy), vy.merge(vx));
        }
    }

    private static VersionVector randomVector(Random random, String[] sites, long[] out) {
        out[0] = random.nextInt(3);
        Map<String, Long> counters = new java.util.HashMap<>();
        for (int j = 0; j < sites.length; j++) {
            out[j + 1] = random.nextInt(3);
            counters.put(sites[j], out[j + 1]);
        }
        return VersionVector.of(out[0], counters);
    }
}
