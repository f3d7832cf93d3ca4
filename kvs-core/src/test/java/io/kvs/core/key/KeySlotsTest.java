package io.kvs.core.key;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeySlotsTest {

    @Test
    void slotIsStableAndInRange() {
        Random random = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            String key = Keys.random(random);
            int slot = KeySlots.slotOf(key);
            assertTrue(slot >= 0 && slot < KeySlots.SLOT_COUNT);
            assertEquals(slot, KeySlots.slotOf(new String(key)));
        }
    }

    @Test
    void sequentialKeysSpreadEvenlyOverSlots() {
        int buckets = 16;
        int[] counts = new int[buckets];
        int keys = 100_000;
        for (int i = 0; i < keys; i++) {
            counts[KeySlots.slotOf("key" + i) * buckets / KeySlots.SLOT_COUNT]++;
        }
        for (int count : counts) {
            assertEquals(keys / buckets, count, keys / buckets * 0.05, "bucket counts " + java.util.Arrays.toString(counts));
        }
    }
}
