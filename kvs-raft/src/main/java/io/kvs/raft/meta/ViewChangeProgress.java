package io.kvs.raft.meta;

import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.ViewChange;
import io.kvs.core.view.View;

import java.util.Map;
import java.util.Objects;

/**
 * A view change as the metadata group records it, step by step, so that another node can finish
 * it if its coordinator dies.
 *
 * @param type        add or remove
 * @param node        the node added or removed
 * @param from        the view before the change
 * @param target      the view after the change
 * @param phase       how far the change has come
 * @param coordinator the node driving it
 * @param updatedAt   the coordinator's clock at its last step, in milliseconds
 * @param rebuilds    partitions (by id) whose group could not be reconfigured (no majority) and
 *                    is replaced by a new group seeded from a surviving replica
 */
public record ViewChangeProgress(ViewChange.Type type, NodeAddress node, View from, View target, Phase phase,
                                 NodeAddress coordinator, long updatedAt, Map<Integer, Rebuild> rebuilds) {

    public ViewChangeProgress {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(coordinator, "coordinator");
        rebuilds = Map.copyOf(rebuilds);
    }

    /** Steps of a change, in order. Before COMMITTED a change can be abandoned; after, it can only be finished. */
    public enum Phase { PREPARING, GROUPS_READY, DATA_MOVED, COMMITTED }

    /** A partition's new group is seeded from {@code survivor}'s replica of {@code fromGroup}. */
    public record Rebuild(int fromGroup, NodeAddress survivor) {
    }

    public ViewChangeProgress advance(Phase next, View nextTarget, Map<Integer, Rebuild> nextRebuilds,
                                      NodeAddress by, long at) {
        return new ViewChangeProgress(type, node, from, nextTarget, next, by, at, nextRebuilds);
    }

    public boolean isCommitted() {
        return phase == Phase.COMMITTED;
    }
}
