package io.kvs.core.view;

import io.kvs.core.key.KeySlots;
import io.kvs.core.key.Keys;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random clusters driven through random adds and removes: after every change the layout obeys
 * CONTRACT.md §2, keys stay evenly spread, and only the keys that must move do.
 */
class ViewPlannerPropertyTest {
    private static final int KEYS = 10_000;
    /** keysPerSlot[s]: how many of the test keys hash to slot s. */
    private static final int[] keysPerSlot = new int[KeySlots.SLOT_COUNT];

    @BeforeAll
    static void hashKeys() {
        Random random = new Random(42);
        Set<String> keys = new HashSet<>();
        while (keys.size() < KEYS) {
            keys.add(Keys.random(random));
        }
        keys.forEach(k -> keysPerSlot[KeySlots.slotOf(k)]++);
    }

    @Test
    void randomViewChangesKeepEveryInvariant() {
        for (int seed = 0; seed < 300; seed++) {
            Random random = new Random(seed);
            int k = 1 + random.nextInt(4);
            int nextNode = 0;
            View view = View.initial(Views.nodes(nextNode, 1 + random.nextInt(12)), k);
            nextNode += view.nodes().size();
            checkLayout(view, "seed " + seed + " initial");
            for (int step = 0; step < 20; step++) {
                boolean add = view.nodes().size() == 1 || view.nodes().size() < 24 && random.nextBoolean();
                ViewChange change;
                if (add) {
                    change = ViewPlanner.add(view, Views.nodes(nextNode++, 1).get(0));
                } else {
                    change = ViewPlanner.remove(view, view.nodes().get(random.nextInt(view.nodes().size())));
                }
                String where = "seed " + seed + " step " + step + " " + change.type() + " " + change.node();
                checkLayout(change.after(), where);
                checkMovement(change, where);
                view = change.after();
            }
        }
    }

    @Test
    void keysSpreadEvenlyOverPartitionsOfRandomViews() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int k = 1 + random.nextInt(3);
            View view = View.initial(Views.nodes(0, k * (2 + random.nextInt(7))), k);
            int[] counts = keysPerPartition(view);
            double cv = coefficientOfVariation(counts);
            assertTrue(cv < 0.1, "CV " + cv + " for P=" + view.partitionCount());
            assertEquals(KEYS, java.util.Arrays.stream(counts).sum(), "every key owned by exactly one partition");
        }
    }

    @Test
    void addingNodesOneByOneGrowsPartitionsAsTheSpecSays() {
        View view = View.initial(Views.nodes(0, 4), 2);
        int[] expected = {2, 3, 3, 4};
        for (int i = 0; i < expected.length; i++) {
            view = ViewPlanner.add(view, Views.nodes(4 + i, 1).get(0)).after();
            assertEquals(expected[i], view.partitionCount());
        }
        // 8 nodes, K=2: remove a member of partition 0; no proxy, so partition 3 dissolves and refills it.
        NodeAddress removed = view.partition(0).members().get(0);
        List<NodeAddress> dissolvedMembers = view.partition(3).members();
        View after = ViewPlanner.remove(view, removed).after();
        assertEquals(3, after.partitionCount());
        assertTrue(after.partition(0).members().contains(dissolvedMembers.get(0)));
        assertEquals(List.of(dissolvedMembers.get(1)), after.proxies());
    }

    @Test
    void removingAMemberPromotesTheFirstProxy() {
        View view = View.initial(Views.nodes(0, 7), 2);
        NodeAddress proxy = view.proxies().get(0);
        ViewChange change = ViewPlanner.remove(view, view.nodes().get(1));
        assertEquals(List.of(view.nodes().get(0), proxy), change.after().partition(0).members());
        assertTrue(change.movedSlots().isEmpty());
        assertEquals(3, change.after().partitionCount());
    }

    private static void checkLayout(View view, String where) {
        int n = view.nodes().size();
        int k = view.k();
        int p = view.partitionCount();
        assertEquals(Math.max(1, n / k), p, where);
        Set<NodeAddress> seen = new HashSet<>();
        for (Partition partition : view.partitions()) {
            assertEquals(n >= k ? k : n, partition.members().size(), where + " members of " + partition.id());
            List<NodeAddress> sorted = new ArrayList<>(partition.members());
            sorted.sort(java.util.Comparator.comparingInt(view.nodes()::indexOf));
            assertEquals(sorted, partition.members(), where + " members in view order");
            for (NodeAddress member : partition.members()) {
                assertTrue(view.contains(member), where);
                assertTrue(seen.add(member), where + " " + member + " in two partitions");
            }
        }
        assertEquals(n - seen.size(), view.proxies().size(), where);
        int[] slotCounts = new int[p];
        for (int slot = 0; slot < KeySlots.SLOT_COUNT; slot++) {
            int owner = view.slots().ownerOf(slot);
            assertTrue(owner >= 0 && owner < p, where + " slot " + slot + " owned by " + owner);
            slotCounts[owner]++;
        }
        int min = java.util.Arrays.stream(slotCounts).min().orElseThrow();
        int max = java.util.Arrays.stream(slotCounts).max().orElseThrow();
        assertTrue(max - min <= 1, where + " slot counts " + java.util.Arrays.toString(slotCounts));
        if (p > 1) {
            assertTrue(coefficientOfVariation(keysPerPartition(view)) < 0.1, where);
        }
    }

    private static void checkMovement(ViewChange change, String where) {
        int before = change.before().partitionCount();
        int after = change.after().partitionCount();
        BitSet moved = change.movedSlots();
        int movedKeys = moved.stream().map(s -> keysPerSlot[s]).sum();
        if (after == before) {
            assertEquals(0, moved.cardinality(), where + ": same P moves nothing");
        } else if (after == before + 1) {
            moved.stream().forEach(s -> assertEquals(before, change.after().slots().ownerOf(s), where));
            int newPartitionKeys = keysPerPartition(change.after())[before];
            assertEquals(newPartitionKeys, movedKeys, where + ": a split moves only the new partition's keys");
            assertTrue(movedKeys <= 1.15 * KEYS / after, where + ": moved " + movedKeys);
        } else {
            assertEquals(before - 1, after, where);
            moved.stream().forEach(s -> assertEquals(before - 1, change.before().slots().ownerOf(s), where));
            assertEquals(keysPerPartition(change.before())[before - 1], movedKeys,
                    where + ": a merge moves only the dissolved partition's keys");
        }
    }

    private static int[] keysPerPartition(View view) {
        int[] counts = new int[view.partitionCount()];
        for (int slot = 0; slot < KeySlots.SLOT_COUNT; slot++) {
            counts[view.slots().ownerOf(slot)] += keysPerSlot[slot];
        }
        return counts;
    }

    private static double coefficientOfVariation(int[] counts) {
        double mean = java.util.Arrays.stream(counts).average().orElseThrow();
        double variance = java.util.Arrays.stream(counts).mapToDouble(c -> (c - mean) * (c - mean)).sum() / counts.length;
        return Math.sqrt(variance) / mean;
    }
}
