package io.kvs.raft.partition;

import java.util.Map;

/**
 * A read of {@code key}. {@code requiredHints} (node to hint id) lists the hinted writes the
 * client has already seen in this group: the replica must reflect them or refuse.
 */
public record PartitionQuery(int slot, String key, Map<String, Long> requiredHints) {
    public PartitionQuery {
        requiredHints = Map.copyOf(requiredHints);
    }
}
