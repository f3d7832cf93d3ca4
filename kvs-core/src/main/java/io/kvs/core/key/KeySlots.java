package io.kvs.core.key;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Maps keys to a fixed number of hash slots. Partitions own slots, never keys directly, so a
 * view change moves whole slots and a key's slot never changes (as in Redis Cluster).
 */
public final class KeySlots {
    /** Enough slots that whole-slot moves keep partitions within 1% of an even share up to ~40 partitions. */
    public static final int SLOT_COUNT = 4096;

    private KeySlots() {
    }

    public static int slotOf(String key) {
        CRC32C crc = new CRC32C();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return Math.floorMod(avalanche((int) crc.getValue()), SLOT_COUNT);
    }

    /** CRC is linear in its input; this finalizer (MurmurHash3's fmix32) spreads similar keys apart. */
    private static int avalanche(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
