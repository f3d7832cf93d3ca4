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
     * holding about {@code maxBytes}.
     */
    record Export(BitSet slots, ExportPage.Cursor from, int maxBytes) implements PartitionQuery {
    }
}
