package io.kvs.core.causal;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CausalPayloadTest {
    @Test
    void carriesTheNewestViewEpochThroughTextMergesAndRetiredGroups() {
        CausalPayload epochOnly = CausalPayload.empty().withViewEpoch(4);
        assertFalse(epochOnly.isEmpty());
        assertEquals(epochOnly, CausalPayload.fromCompactText(epochOnly.toCompactText()));
        CausalPayload payload = CausalPayload.empty().withApplied(2, 9).withViewEpoch(7);
        assertEquals(payload, CausalPayload.fromCompactText(payload.toCompactText()));
        assertEquals(7, payload.withViewEpoch(3).viewEpoch(), "the epoch only grows");
        assertEquals(7, epochOnly.merge(payload).viewEpoch());
        assertEquals(7, payload.merge(epochOnly).viewEpoch());
        assertEquals(7, payload.retainGroups(Set.of()).viewEpoch());
    }

    @Test
    void positionsOnlyGrow() {
        CausalPayload payload = CausalPayload.empty().withApplied(1, 10);
        assertEquals(10, payload.withApplied(1, 5).appliedIndex(1));
        assertEquals(10, payload.withHint(1, "n", 3).withHint(1, "n", 2).appliedIndex(1));
        assertEquals(Map.of("n", 3L), payload.withHint(1, "n", 3).withHint(1, "n", 2).hintsOf(1));
    }

    @Test
    void mergeIsPointwiseMaximum() {
        Random random = new Random(5);
        for (int i = 0; i < 1_000; i++) {
            CausalPayload a = randomPayload(random);
            CausalPayload b = randomPayload(random);
            CausalPayload merged = a.merge(b);
            assertEquals(merged, b.merge(a));
            for (int g = 0; g < 4; g++) {
                assertEquals(Math.max(a.appliedIndex(g), b.appliedIndex(g)), merged.appliedIndex(g));
            }
            assertEquals(merged, merged.merge(a));
        }
    }

    @Test
    void retainGroupsDropsRetiredGroups() {
        CausalPayload payload = CausalPayload.empty().withApplied(1, 10).withApplied(2, 20).withHint(1, "n", 1);
        CausalPayload kept = payload.retainGroups(Set.of(2));
        assertEquals(0, kept.appliedIndex(1));
        assertEquals(20, kept.appliedIndex(2));
        assertTrue(kept.hintsOf(1).isEmpty());
    }

    @Test
    void behavesLikeMapsOfPositionsUnderRandomOperations() {
        Random random = new Random(11);
        for (int run = 0; run < 2_000; run++) {
            CausalPayload payload = CausalPayload.empty();
            Map<Integer, Long> applied = new TreeMap<>();
            Map<Integer, Map<String, Long>> hints = new TreeMap<>();
            for (int op = 0; op < 12; op++) {
                int group = random.nextInt(5);
                long position = 1 + random.nextInt(50); // 0 means "nothing seen", never stored
                switch (random.nextInt(4)) {
                    case 0 -> {
                        payload = payload.withApplied(group, position);
                        applied.merge(group, position, Math::max);
                    }
                    case 1 -> {
                        String node = "10.0.0." + random.nextInt(4) + ":8080";
                        payload = payload.withHint(group, node, position);
                        hints.computeIfAbsent(group, g -> new TreeMap<>()).merge(node, position, Math::max);
                    }
                    case 2 -> {
                        CausalPayload other = randomPayload(random);
                        payload = payload.merge(other);
                        for (int g : other.groups()) {
                            applied.merge(g, other.appliedIndex(g), Math::max);
                        }
                        for (int g = 0; g < 5; g++) {
                            int hintGroup = g;
                            other.hintsOf(g).forEach((n, id) ->
                                    hints.computeIfAbsent(hintGroup, x -> new TreeMap<>()).merge(n, id, Math::max));
                        }
                    }
                    default -> {
                        Set<Integer> live = Set.of(group, (group + 1) % 5, (group + 2) % 5);
                        payload = payload.retainGroups(live);
                        applied.keySet().retainAll(live);
                        hints.keySet().retainAll(live);
                    }
                }
                hints.values().removeIf(Map::isEmpty);
                for (int g = 0; g < 5; g++) {
                    assertEquals(applied.getOrDefault(g, 0L), payload.appliedIndex(g), payload.toString());
                    assertEquals(hints.getOrDefault(g, Map.of()), payload.hintsOf(g), payload.toString());
                }
                assertEquals(applied.keySet(), payload.groups());
                CausalPayload read = CausalPayload.fromCompactText(payload.toCompactText());
                assertEquals(payload, read);
                assertEquals(payload.hashCode(), read.hashCode());
            }
        }
    }

    @Test
    void readsPositionsInAnyOrderKeepingTheHighestOfASiteNamedTwice() {
        CausalPayload read = CausalPayload.fromCompactText("h2@b=3;g2=9;e=4;h1@a=1;g1=5;g2=7;h2@a=2;h2@b=6");
        CausalPayload built = CausalPayload.empty().withApplied(1, 5).withApplied(2, 9).withHint(1, "a", 1)
                .withHint(2, "a", 2).withHint(2, "b", 6).withViewEpoch(4);
        assertEquals(built, read);
        assertEquals("e=4;g1=5;h1@a=1;g2=9;h2@a=2;h2@b=6", read.toCompactText());
    }

    /** Text in reverse order, as a hostile client might send: read in O(n log n), not O(n^2). */
    @Test
    void readsManySitesInReverseOrderQuickly() {
        StringBuilder text = new StringBuilder();
        for (int i = 20_000; i > 0; i--) {
            text.append(text.length() == 0 ? "" : ";").append('g').append(i).append('=').append(i);
        }
        long start = System.nanoTime();
        CausalPayload read = CausalPayload.fromCompactText(text.toString());
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertEquals(20_000, read.groups().size());
        assertEquals(7, read.appliedIndex(7));
        assertTrue(millis < 2_000, "20,000 sites in reverse order took " + millis + " ms");
    }

    @Test
    void payloadsReadBackShareTheirNodeNames() {
        CausalPayload a = CausalPayload.fromCompactText("h1@" + "10.0.0.9:8080=1");
        CausalPayload b = CausalPayload.fromCompactText("h1@" + new String("10.0.0.9:8080") + "=2");
        String nodeA = a.hintsOf(1).keySet().iterator().next();
        String nodeB = b.hintsOf(1).keySet().iterator().next();
        assertSame(nodeA, nodeB);
    }

    private static CausalPayload randomPayload(Random random) {
        CausalPayload p = CausalPayload.empty();
        for (int g = 0; g < 4; g++) {
            if (random.nextBoolean()) {
                p = p.withApplied(g, random.nextInt(100));
            }
            if (random.nextInt(4) == 0) {
                p = p.withHint(g, "node" + random.nextInt(3), random.nextInt(10));
            }
        }
        return random.nextBoolean() ? p.withViewEpoch(random.nextInt(5)) : p;
    }
}
