package io.kvs.raft.partition;

import java.util.BitSet;
import java.util.List;
import java.util.Map;

/** Read-only requests to a partition group. */
public sealed interface PartitionQuery {

    /** Reads that reached one gateway together, answered by one linearizable read (one ReadIndex). */
    record Gets(List<Get> gets) implements PartitionQuery {
        public Gets {
            gets = List.copyOf(gets);
        }
    }

    /**
     * A read of {@code key}, carried in a {@link Gets} query. {@code requiredHints} (node to hint id) lists the hinted writes the
     * client has already seen in this group: the replica must reflect them or refuse.
     */
    record Get(int slot, String key, Map<String, Long> requiredHints) {
        public Get {
            requiredHints = Map.copyOf(requiredHints);
        }
    }

    /**
     * One page of the keys in {@code slots}, in (slot, key) order, starting after {@code from},
     * holding about {@code maxBytes}, which is kept within 1 byte and {@link #MAX_PAGE_BYTES}
     * (a page is built in memory, so its asker does not choose its size freely).
     */
    record Export(BitSet slots, ExportPage.Cursor from, int maxBytes) implements PartitionQuery {
        public static final int MAX_PAGE_BYTES = 4 << 20;

        public Export {
            maxBytes = Math.max(1, Math.min(maxBytes, MAX_PAGE_BYTES));
        }
    }
}
