package io.kvs.raft.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Waits for this node's view to reach an epoch, told when it does (by the metadata group's apply
 * callback) rather than polled: a request that must not be routed by a view older than its
 * client has seen waits on one. A wait that is abandoned (timed out, cancelled) is forgotten.
 */
final class EpochWaits {
    private final TreeMap<Long, List<CompletableFuture<Void>>> waiting = new TreeMap<>();
    private long reached;

    /** Completes once the view has reached {@code epoch}; at once if it already has. */
    synchronized CompletableFuture<Void> await(long epoch) {
        if (epoch <= reached) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> wait = new CompletableFuture<>();
        waiting.computeIfAbsent(epoch, e -> new ArrayList<>()).add(wait);
        wait.whenComplete((done, failure) -> {
            if (failure != null) {
                forget(epoch, wait);
            }
        });
        return wait;
    }

    /** The view has reached {@code epoch}: every wait for it or an earlier one is over. */
    void reached(long epoch) {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (this) {
            reached = Math.max(reached, epoch);
            Map<Long, List<CompletableFuture<Void>>> due = waiting.headMap(reached, true);
            due.values().forEach(done::addAll);
            due.clear();
        }
        done.forEach(wait -> wait.complete(null)); // outside the lock: what follows a wait runs here
    }

    /** How many waits are open (for tests). */
    synchronized int open() {
        return waiting.values().stream().mapToInt(List::size).sum();
    }

    private synchronized void forget(long epoch, CompletableFuture<Void> wait) {
        List<CompletableFuture<Void>> waits = waiting.get(epoch);
        if (waits != null && waits.remove(wait) && waits.isEmpty()) {
            waiting.remove(epoch);
        }
    }
}
