package io.kvs.raft.meta;

import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.View;

import java.util.ArrayList;
import java.util.List;

/**
 * Which nodes host the metadata group, in the order a client should ask them: every node of the
 * view is a member, and while a view change runs, the nodes of both views are (a node being
 * added may not host the group yet, a removed one hosts it until the change is cleaned up). The
 * nodes in both views come first: a Ratis client that asks a node without the group gives up
 * instead of trying the next. The one place this rule is written.
 */
public final class MetadataMembers {
    private MetadataMembers() {
    }

    /** The members as {@code state} names them. */
    public static List<NodeAddress> of(ClusterState state) {
        ViewChangeProgress change = state.change();
        return change == null ? state.view().nodes() : during(change.from(), change.target());
    }

    /** The members while a change from {@code from} to {@code target} runs: both views' nodes, those in both first. */
    public static List<NodeAddress> during(View from, View target) {
        List<NodeAddress> members = new ArrayList<>(staying(from, target));
        from.nodes().stream().filter(n -> !members.contains(n)).forEach(members::add);
        target.nodes().stream().filter(n -> !members.contains(n)).forEach(members::add);
        return members;
    }

    /** The nodes in both views: certain to host the group throughout the change. */
    public static List<NodeAddress> staying(View from, View target) {
        return from.nodes().stream().filter(target::contains).toList();
    }
}
