package io.kvs.raft.migration;

import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.hint.HintPage;
import io.kvs.raft.partition.HintedWrite;
import io.kvs.raft.partition.PartitionCommand;
import org.apache.ratis.protocol.RaftGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Moves, in a view change, the writes replicas accepted as hints (without a majority) and may
 * not have replayed into their group yet, wherever the change would otherwise leave them
 * behind: in slots that move to another group, and on a member that leaves its group. Each
 * replica first seals those slots (it takes no more hints for them until it routes by the new
 * view), then hands over what it holds, so the data moved includes every write acknowledged
 * for those slots.
 *
 * <p>Hints whose slots change group are imported into the new group. Those a leaving member
 * held for its group's own slots enter that group as the member's hints, so the group counts
 * them as applied and a client that saw one is served without the member.
 *
 * <p>A replica that does not answer keeps its hints and replays them, once it is back, into
 * the group that then owns their slots.
 */
final class HeldHints {
    private static final Logger LOG = LoggerFactory.getLogger(HeldHints.class);

    private final PeerNodes nodes;
    private final SlotCopier copier;
    private final View from;
    private final View target;
    private final Function<Partition, RaftGroup> groups;

    HeldHints(PeerNodes nodes, SlotCopier copier, View from, View target, Function<Partition, RaftGroup> groups) {
        this.nodes = nodes;
        this.copier = copier;
        this.from = from;
        this.target = target;
        this.groups = groups;
    }

    /**
     * Moves the hints {@code source}'s members hold for slots the change takes from them:
     * {@code moving} (the source's slots that change group) from a member that stays, every
     * slot of the source from a member that leaves it. Returns, by group serial, the log index
     * from which each receiving group holds them.
     */
    Map<Integer, Long> move(Partition source, BitSet moving) throws IOException {
        BitSet all = from.slots().slotsOf(source.id());
        Partition successor = target.partitionServedBy(source.group()).orElse(null);
        Map<Integer, Long> readyIndex = new HashMap<>();
        for (NodeAddress member : source.members()) {
            boolean stays = successor != null && successor.hasMember(member);
            BitSet sealed = stays ? moving : all;
            if (sealed.isEmpty()) {
                continue;
            }
            Held held = held(member, source.group(), sealed);
            if (held == null) {
                continue;
            }
            Map<Integer, List<PartitionCommand.MovedKey>> elsewhere = new TreeMap<>();
            List<HintedWrite> ownSlots = new ArrayList<>();
            for (HintedWrite hint : held.hints()) {
                int owner = target.partition(target.slots().ownerOf(hint.slot())).group();
                if (owner == source.group()) {
                    ownSlots.add(hint);
                } else {
                    elsewhere.computeIfAbsent(owner, g -> new ArrayList<>())
                            .add(PartitionCommand.MovedKey.of(hint.key(), hint.value()));
                }
            }
            for (Map.Entry<Integer, List<PartitionCommand.MovedKey>> moved : elsewhere.entrySet()) {
                long index = copier.importAll(moved.getValue(), groupServedBy(moved.getKey()));
                readyIndex.merge(moved.getKey(), index, Math::max);
            }
            if (successor != null && !stays) {
                long index = copier.applyHints(member.toString(), held.highestIssued(), ownSlots, groups.apply(successor));
                readyIndex.merge(successor.group(), index, Math::max);
            }
            if (!held.hints().isEmpty()) {
                LOG.info("moved {} hinted writes {} held for group {}", held.hints().size(), member, source.group());
            }
        }
        return readyIndex;
    }

    /** What a member held: its hints of the sealed slots, and the highest id it ever issued in the group. */
    private record Held(List<HintedWrite> hints, long highestIssued) {
    }

    /** Every hint {@code member} holds for {@code slots} of group {@code group}, sealing them first; null if it does not answer. */
    private Held held(NodeAddress member, int group, BitSet slots) throws IOException {
        HintPage page;
        try {
            page = nodes.sealHints(member, group, slots, target.epoch(), 0);
        } catch (IOException unreachable) {
            LOG.info("{} does not answer: any hints it holds for group {} are replayed when it is back ({})",
                    member, group, unreachable.getMessage());
            return null;
        }
        List<HintedWrite> hints = new ArrayList<>(page.hints());
        long highestIssued = page.highestIssued();
        while (!page.isLast()) {
            page = nodes.sealHints(member, group, slots, target.epoch(), page.nextAfter());
            hints.addAll(page.hints());
            highestIssued = Math.max(highestIssued, page.highestIssued());
        }
        return new Held(hints, highestIssued);
    }

    private RaftGroup groupServedBy(int serial) {
        return groups.apply(target.partitionServedBy(serial).orElseThrow());
    }
}
