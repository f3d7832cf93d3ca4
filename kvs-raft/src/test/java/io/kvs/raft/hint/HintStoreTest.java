package io.kvs.raft.hint;

import io.kvs.core.causal.CausalPayload;
import io.kvs.raft.partition.HintedWrite;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HintStoreTest {
    private static final String SELF = "10.0.0.1:8080";

    private static Optional<HintedWrite> accept(HintStore store, int group, int slot, String key, long epoch)
            throws IOException {
        return store.accept(group, slot, key, "v-" + key, null, 1_000, 0, CausalPayload.empty(), epoch);
    }

    @Test
    void aSealReturnsTheHintsOfItsSlotsAndRefusesNewOnesUntilTheNewView(@TempDir Path dir) throws IOException {
        try (HintStore store = new HintStore(dir, SELF, group -> 0)) {
            accept(store, 1, 10, "a", 3);
            accept(store, 1, 20, "b", 3);
            accept(store, 2, 10, "other-group", 3);
            BitSet moving = new BitSet();
            moving.set(10);

            HintPage page = store.seal(1, moving, 4, 0, 1 << 20);
            assertEquals(List.of("a"), page.hints().stream().map(HintedWrite::key).toList());
            assertTrue(page.isLast());

            assertTrue(accept(store, 1, 10, "late", 3).isEmpty(), "a sealed slot takes no hint in the old view");
            assertTrue(accept(store, 1, 20, "c", 3).isPresent(), "other slots of the group still do");
            assertTrue(accept(store, 2, 10, "d", 3).isPresent(), "the same slot of another group still does");
            assertTrue(accept(store, 1, 10, "e", 4).isPresent(), "in the new view the seal is over");
            assertEquals(List.of("a", "e"), store.seal(1, moving, 4, 0, 1 << 20).hints().stream()
                    .map(HintedWrite::key).toList(), "sealing again is harmless and returns what is held");
        }
    }

    @Test
    void sealedHintsComeInPagesInIdOrder(@TempDir Path dir) throws IOException {
        try (HintStore store = new HintStore(dir, SELF, group -> 0)) {
            for (int i = 0; i < 50; i++) {
                accept(store, 1, i % 2, "k" + i, 1);
            }
            BitSet slots = new BitSet();
            slots.set(0);
            List<String> keys = new java.util.ArrayList<>();
            HintPage page = store.seal(1, slots, 2, 0, 300);
            int pages = 1;
            keys.addAll(page.hints().stream().map(HintedWrite::key).toList());
            while (!page.isLast()) {
                page = store.seal(1, slots, 2, page.nextAfter(), 300);
                keys.addAll(page.hints().stream().map(HintedWrite::key).toList());
                pages++;
            }
            List<String> expected = new java.util.ArrayList<>();
            for (int i = 0; i < 50; i += 2) {
                expected.add("k" + i);
            }
            assertEquals(expected, keys);
            assertTrue(pages > 1, "small pages: " + pages);
        }
    }

    /** Ids stay above what the group has applied of this node's hints, whatever the file says. */
    /** Pending hints are held in memory: beyond a bound the node takes no more, until some are applied. */
    @Test
    void aFullBacklogRefusesHintsUntilSomeAreApplied(@TempDir Path dir) throws IOException {
        String large = "x".repeat(1 << 20);
        try (HintStore store = new HintStore(dir, SELF, group -> 0)) {
            long taken = 0;
            while (true) {
                try {
                    store.accept(1, 10, "k" + taken, large, null, 1_000, 0, CausalPayload.empty(), 1);
                    taken++;
                } catch (HintStore.BacklogFull full) {
                    break;
                }
            }
            assertEquals(HintStore.MAX_PENDING_BYTES >> 20, taken + 1, "one MiB values up to the bound");
            store.applied(1, 3);
            assertTrue(store.accept(1, 10, "again", large, null, 1_000, 0, CausalPayload.empty(), 1).isPresent());
        }
        try (HintStore reopened = new HintStore(dir, SELF, group -> 3)) {
            assertThrows(HintStore.BacklogFull.class, () -> reopened.accept(1, 10, "more", "x".repeat(3 << 20), null,
                    1_000, 0, CausalPayload.empty(), 1), "hints read back at start count too");
        }
    }

    @Test
    void newIdsFollowWhatTheGroupHasApplied(@TempDir Path dir) throws IOException {
        try (HintStore store = new HintStore(dir, SELF, group -> group == 1 ? 40 : 0)) {
            assertEquals(41, accept(store, 1, 10, "a", 1).orElseThrow().id());
            assertEquals(42, accept(store, 1, 10, "b", 1).orElseThrow().id());
            assertEquals(1, accept(store, 2, 10, "c", 1).orElseThrow().id());
        }
    }

    @Test
    void hintPagesRoundTrip(@TempDir Path dir) throws IOException {
        try (HintStore store = new HintStore(dir, SELF, group -> 0)) {
            accept(store, 1, 10, "a", 1);
            accept(store, 1, 10, "b", 1);
            BitSet slots = new BitSet();
            slots.set(10);
            HintPage page = store.seal(1, slots, 2, 0, 1 << 20);
            assertEquals(page, HintPage.decode(page.encode()));
            HintPage middle = new HintPage(page.hints(), 7, 9);
            assertEquals(middle, HintPage.decode(middle.encode()));
        }
    }
}
