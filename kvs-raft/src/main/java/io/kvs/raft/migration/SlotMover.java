package io.kvs.raft.migration;

import io.kvs.core.key.KeySlots;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.client.Failures;
import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.meta.ViewChangeProgress;
import io.kvs.raft.meta.ViewChangeProgress.Rebuild;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.WriteReply;
import org.apache.ratis.protocol.RaftGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.BitSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The data side of a view change: copies every slot whose group changes from its old group to
 * its new one, the sources frozen (or fenced) first so the copy is complete, with the hints replicas hold
 * for those slots ({@link HeldHints}); and, after the commit, has the sources drop what they
 * gave away. Only the slots that must move move.
 */
final class SlotMover {
    private static final Logger LOG = LoggerFactory.getLogger(SlotMover.class);
    private static final long FREEZE_MILLIS = 4_000;
    private static final long DISOWN_SECONDS = 10;

    private final PeerNodes nodes;
    private final PartitionClient partitions;
    private final SlotCopier copier;
    private final MoveProgress progress;

    SlotMover(PeerNodes nodes, PartitionClient partitions, MoveProgress progress) {
        this.nodes = nodes;
        this.partitions = partitions;
        this.copier = new SlotCopier(partitions);
        this.progress = progress;
    }

    /**
     * Moves the data of {@code change}; returns its target with each receiving group's ready
     * index (the log index from which it holds every key moved into it).
     */
    View move(ChangeContext context, ViewChangeProgress change) throws IOException {
        View from = change.from();
        View target = change.target();
        Map<Integer, Map<Integer, BitSet>> moves = moves(from, target);
        HeldHints held = new HeldHints(nodes, copier, from, target, context::group);
        Map<Integer, Long> readyIndex = new HashMap<>();
        long total = 0;
        progress.start(target.epoch(), moves.values().stream().flatMap(m -> m.values().stream())
                .mapToInt(BitSet::cardinality).sum());
        try {
            for (Partition source : from.partitions()) {
                Map<Integer, BitSet> byDestination = moves.getOrDefault(source.group(), Map.of());
                BitSet moving = new BitSet();
                byDestination.values().forEach(moving::or);
                List<SlotCopier.Source> sources = moving.isEmpty() ? List.of() : sourcesOf(context, source, moving, change);
                for (Map.Entry<Integer, BitSet> toDestination : byDestination.entrySet()) {
                    Partition destination = target.partitionServedBy(toDestination.getKey()).orElseThrow();
                    long keys = 0;
                    for (SlotCopier.Source pages : sources) {
                        // Replicas read one by one: the destination merges what each holds.
                        SlotCopier.Copied copied = copier.copy(pages, toDestination.getValue(), context.group(destination));
                        readyIndex.merge(destination.group(), copied.lastIndex(), Math::max);
                        keys = Math.max(keys, copied.keys());
                    }
                    LOG.info("moved {} keys in {} slots from group {} to group {}", keys,
                            toDestination.getValue().cardinality(), source.group(), destination.group());
                    total += keys;
                    progress.moved(toDestination.getValue().cardinality(), keys);
                }
                held.move(source, moving).forEach((group, index) -> readyIndex.merge(group, index, Math::max));
            }
        } finally {
            progress.done();
        }
        LOG.info("view epoch {}: {} keys moved", target.epoch(), total);
        return target.withReadyIndexes(readyIndex);
    }

    /**
     * After the commit: sources that still serve a partition drop the slots they gave away
     * (requests with an old view then get "wrong owner" and retry with the new one). Groups no
     * node wants any more are left by the nodes themselves once the change is finished.
     */
    void dropMoved(ChangeContext context, ViewChangeProgress change) throws IOException {
        View target = change.target();
        for (Map.Entry<Integer, Map<Integer, BitSet>> bySource : moves(change.from(), target).entrySet()) {
            Optional<Partition> stillServing = target.partitionServedBy(bySource.getKey());
            if (stillServing.isEmpty()) {
                continue;
            }
            BitSet given = new BitSet();
            bySource.getValue().values().forEach(given::or);
            RaftGroup group = context.group(stillServing.get());
            BoundedRetry.await(() -> partitions.write(group, new PartitionCommand.Disown(given))
                    .get(DISOWN_SECONDS, TimeUnit.SECONDS), "disown slots in group " + stillServing.get().group());
        }
    }

    /** source group serial -> destination group serial -> slots that move between them. */
    static Map<Integer, Map<Integer, BitSet>> moves(View from, View target) {
        Map<Integer, Map<Integer, BitSet>> moves = new TreeMap<>();
        for (int slot = 0; slot < KeySlots.SLOT_COUNT; slot++) {
            int source = from.partition(from.slots().ownerOf(slot)).group();
            int destination = target.partition(target.slots().ownerOf(slot)).group();
            if (source != destination) {
                moves.computeIfAbsent(source, s -> new TreeMap<>()).computeIfAbsent(destination, d -> new BitSet())
                        .set(slot);
            }
        }
        return moves;
    }

    /**
     * Freezes {@code slots} in {@code group}: asked again within a bound if the group stays in the
     * view (it must freeze), once if the change dissolves it (empty if it cannot: it is then read
     * around, fenced).
     */
    private Optional<WriteReply> freeze(RaftGroup group, Partition source, BitSet slots, boolean stays)
            throws IOException {
        BoundedRetry.Attempt<WriteReply> attempt = () -> partitions.write(group, new PartitionCommand.Freeze(slots))
                .get(FREEZE_MILLIS, TimeUnit.MILLISECONDS);
        if (stays) {
            return Optional.of(BoundedRetry.await(attempt, "freeze slots in group " + source.group()));
        }
        try {
            return Optional.of(attempt.run());
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("group {} cannot freeze its slots ({}): fencing its replicas to read them",
                    source.group(), Failures.causeOf(e).toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Where a partition's data is read from: its group, once the moving slots are frozen there;
     * or, for a group the change dissolves or rebuilds that cannot freeze them (it has no leader
     * now, and may never have one again), each of its replicas that could be fenced out of it
     * first, so that nothing commits in the group after its replica is read. A group that stays
     * must freeze: it is asked again, within a bound.
     */
    private List<SlotCopier.Source> sourcesOf(ChangeContext context, Partition source, BitSet slots,
                                              ViewChangeProgress change) throws IOException {
        Optional<Rebuild> rebuild = change.rebuilds().values().stream()
                .filter(r -> r.fromGroup() == source.group()).findFirst();
        if (rebuild.isEmpty()) {
            RaftGroup group = context.group(source);
            Optional<WriteReply> frozen = freeze(group, source, slots,
                    change.target().partitionServedBy(source.group()).isPresent());
            if (frozen.isPresent()) {
                LOG.info("group {} froze {} slots at index {}", source.group(), slots.cardinality(), frozen.get().index());
                return List.of(copier.fromGroup(group));
            }
        }
        List<NodeAddress> fenced = new ArrayList<>();
        for (NodeAddress member : source.members()) {
            try {
                nodes.fence(member, source.group(), change.target().epoch());
                fenced.add(member);
            } catch (IOException e) {
                LOG.info("{} cannot be fenced out of group {} ({}): its replica is not read", member, source.group(),
                        e.getMessage());
            }
        }
        Optional<NodeAddress> survivor = rebuild.map(Rebuild::survivor);
        if (fenced.isEmpty() || survivor.isPresent() && !fenced.contains(survivor.get())) {
            throw new IOException("no replica of group " + source.group() + " could be fenced to be read");
        }
        return fenced.stream().<SlotCopier.Source>map(node -> query -> nodes.exportReplica(node, source.group(), query))
                .toList();
    }
}
