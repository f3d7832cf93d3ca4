package io.kvs.http.faults;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.causal.PayloadSeal;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The chaos test tells a hinted write by the payload the store answers it with: read as the store seals it. */
class PayloadHintsTest {
    private final PayloadSeal seal = new PayloadSeal("tag", "0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    @Test
    void readsTheHintsOfASealedPayload() {
        CausalPayload payload = CausalPayload.empty().withViewEpoch(3).withApplied(1, 40).withHint(1, "10.0.0.2:8080", 7)
                .withHint(2, "10.0.0.3:8080", 2);
        assertEquals(Map.of("1@10.0.0.2:8080", 7L, "2@10.0.0.3:8080", 2L), PayloadHints.of(seal.seal(payload)));
        assertEquals(Map.of(), PayloadHints.of(""));
    }

    @Test
    void aWriteCommittedByItsGroupNamesNoNewHint() {
        CausalPayload before = CausalPayload.empty().withApplied(1, 40).withHint(1, "10.0.0.2:8080", 7);
        assertFalse(PayloadHints.newHint(seal.seal(before), seal.seal(before.withApplied(1, 41))));
        assertFalse(PayloadHints.newHint("", seal.seal(CausalPayload.empty().withApplied(1, 41))));
    }

    @Test
    void aWriteTakenAsAHintNamesIt() {
        CausalPayload before = CausalPayload.empty().withApplied(1, 40).withHint(1, "10.0.0.2:8080", 7);
        assertTrue(PayloadHints.newHint(seal.seal(before), seal.seal(before.withHint(1, "10.0.0.2:8080", 8))));
        assertTrue(PayloadHints.newHint("", seal.seal(CausalPayload.empty().withHint(2, "10.0.0.3:8080", 1))));
    }
}
