package io.kvs.raft.engine;

import io.kvs.raft.partition.Outcome;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.raft.hint.HintStore;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.partition.HintedWrite;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionStateMachine;
import io.kvs.raft.partition.WriteReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Sends the writes this node accepted as hints into their group's log as soon as the group can
 * commit again, then drops them once this node's replica has applied them (so a read here never
 * misses a write that was acknowledged here). Runs every few hundred milliseconds, and each
 * round sends batch after batch as fast as the group commits them: a healed partition has its
 * hints in the log within about a second, and a client whose causal payload names a hint (its
 * writes wait for the hint to enter the log) waits about one commit.
 */
final class HintReplayer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(HintReplayer.class);
    private static final int BATCH = 256;
    /** And about this much of keys and values: one log entry of a size the group's log handles well. */
    private static final long BATCH_BYTES = 1 << 20;
    private static final long SUBMIT_MILLIS = 800;
    /** One round's time for one group; the next round goes on where it stopped. */
    private static final long ROUND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String self;
    private final HintStore hints;
    private final Supplier<ClusterState> state;
    private final IntFunction<Optional<PartitionStateMachine>> replicas;
    private final StoreEngine engine;
    private final AtomicLong replayed = new AtomicLong();
    /**
     * Per group, the last hint counted in {@link #replayed}: a hint is sent again while this
     * node's replica has not applied it yet (it lags its group, after a partition say), and
     * counts once. A group with no hint left is forgotten (its later hints have higher ids), so
     * the map holds no more groups than the hint store. Touched by {@link #run} alone, which
     * never runs twice at once.
     */
    private final Map<Integer, Long> countedUpTo = new HashMap<>();

    HintReplayer(String self, HintStore hints, Supplier<ClusterState> state,
                 IntFunction<Optional<PartitionStateMachine>> replicas, StoreEngine engine) {
        this.self = self;
        this.hints = hints;
        this.state = state;
        this.replicas = replicas;
        this.engine = engine;
    }

    /** How many hinted writes this node has replayed into their groups' logs since it started, each once. */
    long replayed() {
        return replayed.get();
    }

    @Override
    public void run() {
        ClusterState current = state.get();
        try {
            Set<Integer> groups = hints.groupsWithHints();
            countedUpTo.keySet().retainAll(groups);
            for (int group : groups) {
                dropApplied(group);
                if (current != null) {
                    // Also during a view change: a group refuses hints for slots it is moving
                    // (MOVING) or gave away (WRONG_OWNER), and they are sent again later.
                    replay(group, current.view());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.info("hinted writes not replayed yet: {}", e.toString());
        }
    }

    /** Hints this node's replica of their group has applied are dropped; the replica now serves them. */
    private void dropApplied(int group) throws IOException {
        Optional<PartitionStateMachine> replica = replicas.apply(group);
        if (replica.isPresent()) {
            hints.applied(group, replica.get().appliedHint(self));
        }
    }

    /**
     * Submits the group's pending hints, oldest first, a batch at a time, until none is left, a
     * batch is not committed, or the round's time is up.
     */
    private void replay(int group, View view) throws IOException {
        long deadline = System.nanoTime() + ROUND_NANOS;
        long submitted = 0;
        while (System.nanoTime() < deadline) {
            // Hints this node's replica has not applied yet stay pending: ask for those after the last sent.
            List<HintedWrite> pending = hints.pending(group, submitted, BATCH);
            if (pending.isEmpty()) {
                return;
            }
            long last = submit(group, view, pending);
            if (last == 0) {
                return;
            }
            submitted = last;
        }
    }

    /**
     * Submits the oldest of {@code pending}, each to the group that owns its slot in the current
     * view (usually {@code group} itself; another one if the slot moved since). The other groups
     * go first; {@code group} itself last, told that it now holds every hint of the batch that is
     * its own, which is what lets this node drop them once its replica applied that.
     *
     * @return the id of the last hint submitted; 0 if the batch was not committed
     */
    private long submit(int group, View view, List<HintedWrite> pending) throws IOException {
        int count = 0;
        long bytes = 0;
        while (count < pending.size() && (count == 0 || bytes + HintStore.sizeOf(pending.get(count)) <= BATCH_BYTES)) {
            bytes += HintStore.sizeOf(pending.get(count));
            count++;
        }
        List<HintedWrite> batch = pending.subList(0, count);
        long last = batch.get(batch.size() - 1).id();
        Map<Partition, List<HintedWrite>> elsewhere = new LinkedHashMap<>();
        List<HintedWrite> here = new ArrayList<>();
        for (HintedWrite write : batch) {
            Partition owner = view.partition(view.slots().ownerOf(write.slot()));
            if (owner.group() == group) {
                here.add(write);
            } else {
                elsewhere.computeIfAbsent(owner, p -> new ArrayList<>()).add(write);
            }
        }
        for (Map.Entry<Partition, List<HintedWrite>> owned : elsewhere.entrySet()) {
            if (!submit(group, owned.getKey(), new PartitionCommand.ApplyHints(self, 0, owned.getValue()))) {
                return 0;
            }
        }
        Optional<Partition> home = view.partitionServedBy(group);
        if (home.isPresent() && !submit(group, home.get(), new PartitionCommand.ApplyHints(self, last, here))) {
            return 0;
        }
        LOG.info("{} hinted writes of group {} entered the log (up to hint {})", batch.size(), group, last);
        long counted = countedUpTo.getOrDefault(group, 0L);
        replayed.addAndGet(batch.stream().filter(write -> write.id() > counted).count());
        countedUpTo.put(group, Math.max(counted, last));
        if (home.isEmpty() || replicas.apply(group).isEmpty()) {
            hints.applied(group, last); // no replica here to see them applied: nothing to wait for
        }
        return last;
    }

    /** Whether {@code owner}'s group committed the hints; false (try again next round) if it refused or did not answer. */
    private boolean submit(int group, Partition owner, PartitionCommand.ApplyHints command) {
        try {
            WriteReply reply = engine.partition(owner).write(command).get(SUBMIT_MILLIS, TimeUnit.MILLISECONDS);
            if (reply.status() != Outcome.UPDATED) {
                LOG.debug("hinted writes of group {} refused by group {} ({}): next round", group, owner.group(),
                        reply.status());
                return false;
            }
            return true;
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("hinted writes of group {} not committed by group {} ({}): next round", group, owner.group(),
                    e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
