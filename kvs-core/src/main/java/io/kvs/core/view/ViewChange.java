package io.kvs.core.view;

import java.util.BitSet;

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
}
