package io.kvs.core.view;

import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * One planned view change: a node added or removed, the view before and the view after.
 * Everything a coordinator must do follows from the two views: new partitions need new groups,
 * partitions whose members changed need a membership change, dissolved partitions' groups retire,
 * and slots whose owner changed move.
 */
public record ViewChange(Type type, NodeAddress node, View before, View after) {

    public enum Type {
        ADD, REMOVE;

        public static Type parse(String text) {
            if ("add".equals(text)) {
                return ADD;
            }
            if ("remove".equals(text)) {
                return REMOVE;
            }
            return null;
        }
    }

    public BitSet movedSlots() {
        return before.slots().movedTo(after.slots());
    }

    /** Partitions of the new view that did not exist before (a split). */
    public List<Partition> createdPartitions() {
        return after.partitions().stream().filter(p -> p.id() >= before.partitionCount()).toList();
    }

    /** Partitions of the old view that no longer exist (a merge). */
    public List<Partition> dissolvedPartitions() {
        return before.partitions().stream().filter(p -> p.id() >= after.partitionCount()).toList();
    }

    /** Partitions present in both views whose member list changed. */
    public List<Partition> resizedPartitions() {
        return after.partitions().stream()
                .filter(p -> p.id() < before.partitionCount())
                .filter(p -> !before.partition(p.id()).members().equals(p.members()))
                .toList();
    }

    public Optional<Partition> before(int partitionId) {
        return partitionId < before.partitionCount() ? Optional.of(before.partition(partitionId)) : Optional.empty();
    }
}
