package io.kvs.raft.partition;

import java.util.BitSet;
import java.util.Map;

/** Read-only requests to a partition group. */
public sealed interface PartitionQuery {

    /**
     * A read of {@code key}. {@code requiredHints} (node to hint id) lists the hinted writes the
     * client has already seen in this group: the replica must reflect them or refuse.
     */
    record Get(int slot, String key, Map<String, Long> requiredHints) implements PartitionQuery {
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
