package io.kvs.core.view;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Plans the next view for one added or removed node by the rules of CONTRACT.md §2: P stays
 * max(1, N/K), ids stay compact, proxies fill gaps before partitions split or merge, and only
 * the slots that must move do.
 */
public final class ViewPlanner {
    private ViewPlanner() {
    }

    public static ViewChange add(View view, NodeAddress node) {
        if (view.contains(node)) {
            throw new IllegalArgumentException(node + " is already in the view");
        }
        List<NodeAddress> nodes = new ArrayList<>(view.nodes());
        nodes.add(node);
        List<Partition> partitions = new ArrayList<>(view.partitions());
        int nextGroup = view.nextGroup();
        SlotTable slots = view.slots();

        if (View.partitionCount(nodes.size(), view.k()) > view.partitionCount()) {
            // The proxies and the new node are now K nodes: together they form a new partition.
            List<NodeAddress> members = nodes.stream().filter(n -> view.partitionOf(n).isEmpty()).toList();
            partitions.add(new Partition(partitions.size(), members, nextGroup++));
            slots = slots.rebalance(ids(partitions.size()));
        } else {
            // With fewer than K nodes in all, the single partition takes every node.
            Partition shortOfMembers = partitions.stream()
                    .filter(p -> p.members().size() < view.k()).findFirst().orElse(null);
            if (shortOfMembers != null) {
                partitions.set(shortOfMembers.id(), withMember(shortOfMembers, node, nodes));
            }
        }
        return new ViewChange(ViewChange.Type.ADD, node,
                view, new View(view.epoch() + 1, view.k(), nodes, partitions, slots, nextGroup));
    }

    public static ViewChange remove(View view, NodeAddress node) {
        if (!view.contains(node)) {
            throw new KvsException(ErrorCode.NODE_NOT_IN_VIEW, node + " is not in the view");
        }
        if (view.nodes().size() == 1) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "cannot remove " + node + ": it is the last node");
        }
        List<NodeAddress> nodes = new ArrayList<>(view.nodes());
        nodes.remove(node);
        List<Partition> partitions = new ArrayList<>(view.partitions());
        SlotTable slots = view.slots();
        Partition own = view.partitionOf(node).orElse(null);

        if (own != null) {
            List<NodeAddress> remaining = new ArrayList<>(own.members());
            remaining.remove(node);
            List<NodeAddress> proxies = view.proxies();
            if (!proxies.isEmpty()) {
                remaining.add(proxies.get(0));
                partitions.set(own.id(), own.withMembers(inViewOrder(remaining, nodes)));
            } else if (partitions.size() == 1) {
                partitions.set(own.id(), own.withMembers(remaining));
            } else {
                // P must drop: dissolve the highest partition; its first member refills the one
                // that lost a member, the others become proxies.
                Partition dissolved = partitions.remove(partitions.size() - 1);
                if (dissolved.id() != own.id()) {
                    List<NodeAddress> donors = inViewOrder(dissolved.members(), nodes);
                    remaining.add(donors.get(0));
                    partitions.set(own.id(), own.withMembers(inViewOrder(remaining, nodes)));
                }
                slots = slots.rebalance(ids(partitions.size()));
            }
        }
        return new ViewChange(ViewChange.Type.REMOVE, node,
                view, new View(view.epoch() + 1, view.k(), nodes, partitions, slots, view.nextGroup()));
    }

    private static Partition withMember(Partition partition, NodeAddress node, List<NodeAddress> viewOrder) {
        List<NodeAddress> members = new ArrayList<>(partition.members());
        members.add(node);
        return partition.withMembers(inViewOrder(members, viewOrder));
    }

    private static List<NodeAddress> inViewOrder(List<NodeAddress> members, List<NodeAddress> viewOrder) {
        return members.stream().sorted(Comparator.comparingInt(viewOrder::indexOf)).toList();
    }

    private static Set<Integer> ids(int count) {
        return IntStream.range(0, count).boxed().collect(Collectors.toSet());
    }
}
