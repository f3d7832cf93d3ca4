package io.kvs.core.view;

import java.util.List;

/**
 * One partition of a view: its id (0..P-1), its members in view order, the serial number of
 * the Raft group that serves it, and the log index from which that group holds all of the
 * partition's keys ({@code readyIndex}: after the last key moved into it, 0 for a group that
 * started with them). A replica behind its group's ready index may lack moved keys, so it does
 * not serve alone. A partition keeps its id across view changes; its group changes only when
 * the group must be rebuilt.
 */
public record Partition(int id, List<NodeAddress> members, int group, long readyIndex) {

    public Partition {
        members = List.copyOf(members);
    }

    public Partition(int id, List<NodeAddress> members, int group) {
        this(id, members, group, 0);
    }

    public boolean hasMember(NodeAddress node) {
        return members.contains(node);
    }

    public Partition withMembers(List<NodeAddress> newMembers) {
        return new Partition(id, newMembers, group, readyIndex);
    }

    /** Served by a new group, which will be ready once the partition's keys are copied into it. */
    public Partition withGroup(int newGroup) {
        return new Partition(id, members, newGroup, 0);
    }

    public Partition withReadyIndex(long index) {
        return new Partition(id, members, group, Math.max(readyIndex, index));
    }
}
