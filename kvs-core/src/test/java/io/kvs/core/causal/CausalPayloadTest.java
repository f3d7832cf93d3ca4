package io.kvs.core.causal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CausalPayloadTest {
    private static final String CLUSTER = "c0ffee12";

    @Test
    void roundTripsThroughItsOpaqueText() {
        CausalPayload payload = CausalPayload.empty().withApplied(3, 105).withApplied(0, 7)
                .withHint(3, "10.0.0.22:8080", 4);
        String text = payload.encode(CLUSTER);
        assertTrue(text.matches("[A-Za-z0-9_-]+"), text);
        assertEquals(payload, CausalPayload.decode(text, CLUSTER));
        assertEquals(105, payload.appliedIndex(3));
        assertEquals(Map.of("10.0.0.22:8080", 4L), payload.hintsOf(3));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "9.9.9.9", "1.0.0.4", "garbage!", "aGVsbG8", "%%%", "azE7YzBmZmVlMTI7Z3g9MQ"})
    void foreignOrMalformedPayloadsReadAsEmpty(String text) {
        assertTrue(CausalPayload.decode(text, CLUSTER).isEmpty());
    }

    @Test
    void carriesTheNewestViewEpochThroughTextMergesAndRetiredGroups() {
        CausalPayload epochOnly = CausalPayload.empty().withViewEpoch(4);
        assertFalse(epochOnly.isEmpty());
        assertEquals(epochOnly, CausalPayload.decode(epochOnly.encode(CLUSTER), CLUSTER));
        CausalPayload payload = CausalPayload.empty().withApplied(2, 9).withViewEpoch(7);
        assertEquals(payload, CausalPayload.fromCompactText(payload.toCompactText()));
        assertEquals(7, payload.withViewEpoch(3).viewEpoch(), "the epoch only grows");
        assertEquals(7, epochOnly.merge(payload).viewEpoch());
        assertEquals(7, payload.merge(epochOnly).viewEpoch());
        assertEquals(7, payload.retainGroups(Set.of()).viewEpoch());
    }

    @Test
    void payloadOfAnotherClusterReadsAsEmpty() {
        String text = CausalPayload.empty().withApplied(1, 1).encode("deadbeef");
        assertTrue(CausalPayload.decode(text, CLUSTER).isEmpty());
        assertTrue(CausalPayload.decode(null, CLUSTER).isEmpty());
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
