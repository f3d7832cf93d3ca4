package io.kvs.core.view;

import java.util.List;

/**
 * One partition of a view: its id (0..P-1), its members in view order, and the serial number of
 * the Raft group that serves it. A partition keeps its id across view changes; its group changes
 * only when the group must be rebuilt.
 */
public record Partition(int id, List<NodeAddress> members, int group) {

    public Partition {
        members = List.copyOf(members);
    }

    public boolean hasMember(NodeAddress node) {
        return members.contains(node);
    }

    public Partition withMembers(List<NodeAddress> newMembers) {
        return new Partition(id, newMembers, group);
    }

    public Partition withGroup(int newGroup) {
        return new Partition(id, members, newGroup);
    }
}
