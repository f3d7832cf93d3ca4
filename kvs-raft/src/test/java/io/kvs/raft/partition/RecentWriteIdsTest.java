package io.kvs.raft.partition;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecentWriteIdsTest {

    /**
     * Against the obvious model (an insertion-ordered set that drops its oldest beyond the
     * capacity), with ids from a small range so that repeats, collisions, long probe runs and
     * removals inside them all happen often; the table's size is a power of two, so ids that
     * differ by a multiple of it are tried too.
     */
    @Test
    void behavesLikeABoundedInsertionOrderedSet() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            int capacity = 1 + random.nextInt(40);
            int range = 1 + random.nextInt(4 * capacity);
            long stride = random.nextBoolean() ? 1 : Integer.highestOneBit(capacity) << 2;
            RecentWriteIds ids = new RecentWriteIds(capacity);
            LinkedHashSet<Long> model = new LinkedHashSet<>();
            for (int op = 0; op < 2_000; op++) {
                long id = (1 + random.nextInt(range)) * stride;
                boolean expected = model.add(id);
                if (expected && model.size() > capacity) {
                    model.remove(model.iterator().next());
                }
                assertEquals(expected, ids.add(id), "round " + round + ", op " + op + ", id " + id);
            }
            assertEquals(List.copyOf(model), oldestFirst(ids), "round " + round);
        }
    }

    @Test
    void theOldestIsForgottenFirst() {
        RecentWriteIds ids = new RecentWriteIds(3);
        assertTrue(ids.add(1));
        assertTrue(ids.add(2));
        assertTrue(ids.add(3));
        assertFalse(ids.add(1), "still among the last three");
        assertTrue(ids.add(4));
        assertTrue(ids.add(1), "forgotten once three later writes came");
        assertEquals(List.of(3L, 4L, 1L), oldestFirst(ids));
    }

    @Test
    void writtenIdsReadBackInTheirOrderAndClearForgetsThem() throws IOException {
        RecentWriteIds ids = new RecentWriteIds(100);
        Random random = new Random(3);
        for (int i = 0; i < 250; i++) {
            ids.add(random.nextLong() | 1);
        }
        List<Long> written = oldestFirst(ids);
        assertEquals(100, written.size());

        RecentWriteIds copy = new RecentWriteIds(100);
        copy.readFrom(new DataInputStream(new ByteArrayInputStream(bytes(ids))));
        assertEquals(written, oldestFirst(copy));
        assertFalse(copy.add(written.get(0)));

        copy.clear();
        assertEquals(List.of(), oldestFirst(copy));
        assertTrue(copy.add(written.get(0)));
    }

    @Test
    void zeroNamesNoWrite() {
        assertThrows(IllegalArgumentException.class, () -> new RecentWriteIds(4).add(0));
    }

    private static List<Long> oldestFirst(RecentWriteIds ids) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes(ids)));
            int count = in.readInt();
            List<Long> result = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                result.add(in.readLong());
            }
            return result;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(RecentWriteIds ids) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ids.writeTo(new DataOutputStream(buffer));
        return buffer.toByteArray();
    }
}
