package io.kvs.raft.migration;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How far the data of the view change this node coordinates has moved, for clients and
 * operators following a long change: slots and keys moved of the slots that move; and how much
 * every change it coordinated moved, for metrics.
 */
public final class MoveProgress {
    /**
     * @param targetEpoch the epoch of the view being moved to
     * @param slotsToMove  the slots that change group
     * @param slotsMoved  those copied so far
     * @param keysMoved   the keys copied so far (hinted writes included)
     */
    public record Snapshot(long targetEpoch, int slotsToMove, int slotsMoved, long keysMoved) {
    }

    private volatile Snapshot current;
    private final AtomicLong slotsMovedTotal = new AtomicLong();
    private final AtomicLong keysMovedTotal = new AtomicLong();

    synchronized void start(long targetEpoch, int slotsToMove) {
        current = new Snapshot(targetEpoch, slotsToMove, 0, 0);
    }

    synchronized void moved(int slots, long keys) {
        Snapshot now = current;
        if (now != null) {
            current = new Snapshot(now.targetEpoch(), now.slotsToMove(), now.slotsMoved() + slots, now.keysMoved() + keys);
        }
        slotsMovedTotal.addAndGet(slots);
        keysMovedTotal.addAndGet(keys);
    }

    synchronized void done() {
        current = null;
    }

    /** The move under way on this node, if any. */
    public Optional<Snapshot> current() {
        return Optional.ofNullable(current);
    }

    /** The slots moved by every change this node coordinated since it started. */
    public long slotsMovedTotal() {
        return slotsMovedTotal.get();
    }

    /** The keys moved by every change this node coordinated since it started. */
    public long keysMovedTotal() {
        return keysMovedTotal.get();
    }
}
