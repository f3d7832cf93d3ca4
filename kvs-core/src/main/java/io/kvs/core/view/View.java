package io.kvs.core.view;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.key.KeySlots;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's membership at one epoch: the nodes in view order, K, the partitions and which
 * slots each owns. Immutable; the metadata group replaces it as a whole on every view change.
 *
 * @param epoch     increases by one with every view change
 * @param k         replicas per partition
 * @param nodes     every node of the cluster, in view order
 * @param partitions partitions by id, ids {@code 0..P-1}
 * @param slots     owner of every hash slot
 * @param nextGroup serial number the next Raft group created for this cluster will get
 */
public record View(long epoch, int k, List<NodeAddress> nodes, List<Partition> partitions, SlotTable slots,
                   int nextGroup) {

    public View {
        nodes = List.copyOf(nodes);
        partitions = List.copyOf(partitions);
        java.util.Objects.requireNonNull(slots, "slots");
        if (k < 1) {
            throw new IllegalArgumentException("K must be at least 1, got " + k);
        }
        if (new HashSet<>(nodes).size() != nodes.size()) {
            throw new IllegalArgumentException("a view lists each node once: " + nodes);
        }
        for (int i = 0; i < partitions.size(); i++) {
            if (partitions.get(i).id() != i) {
                throw new IllegalArgumentException("partition ids must be 0..P-1 in order");
            }
        }
    }

    /** P = max(1, floor(N / K)): as many partitions as the nodes can fill with K replicas. */
    public static int partitionCount(int nodeCount, int k) {
        return Math.max(1, nodeCount / k);
    }

    /**
     * The layout of a cluster started from {@code VIEW}: partition i takes the next K nodes in
     * view order, the nodes left over are proxies, and partition i is served by group i.
     */
    public static View initial(List<NodeAddress> nodes, int k) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("VIEW names no node");
        }
        int p = partitionCount(nodes.size(), k);
        List<Partition> partitions = new ArrayList<>();
        for (int id = 0; id < p; id++) {
            int from = id * k;
            partitions.add(new Partition(id, nodes.subList(from, Math.min(from + k, nodes.size())), id));
        }
        return new View(1, k, nodes, partitions, SlotTable.initial(p), p);
    }

    public int partitionCount() {
        return partitions.size();
    }

    public boolean contains(NodeAddress node) {
        return nodes.contains(node);
    }

    public Optional<Partition> partitionOf(NodeAddress node) {
        return partitions.stream().filter(p -> p.hasMember(node)).findFirst();
    }

    /** The node's partition id, or -1 for a proxy. */
    public int partitionIdOf(NodeAddress node) {
        return partitionOf(node).map(Partition::id).orElse(-1);
    }

    public List<NodeAddress> proxies() {
        return nodes.stream().filter(n -> partitionOf(n).isEmpty()).toList();
    }

    public Partition partition(int id) {
        if (id < 0 || id >= partitions.size()) {
            throw new KvsException(ErrorCode.PARTITION_NOT_FOUND, "partition " + id + " does not exist");
        }
        return partitions.get(id);
    }

    public Partition ownerOfKey(String key) {
        return partitions.get(slots.ownerOf(KeySlots.slotOf(key)));
    }

    /** This view with partition {@code id} served by a new group (the next serial): its old group is being rebuilt. */
    public View withNewGroupFor(int id) {
        List<Partition> next = new ArrayList<>(partitions);
        next.set(id, partition(id).withGroup(nextGroup));
        return new View(epoch, k, nodes, next, slots, nextGroup + 1);
    }

    /** This view with each group in {@code readyIndex} (by serial) ready from that log index. */
    public View withReadyIndexes(Map<Integer, Long> readyIndex) {
        List<Partition> next = partitions.stream()
                .map(p -> p.withReadyIndex(readyIndex.getOrDefault(p.group(), 0L))).toList();
        return new View(epoch, k, nodes, next, slots, nextGroup);
    }

    public Optional<Partition> partitionServedBy(int group) {
        return partitions.stream().filter(p -> p.group() == group).findFirst();
    }
}
