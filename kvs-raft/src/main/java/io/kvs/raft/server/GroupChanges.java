package io.kvs.raft.server;

import io.kvs.raft.concurrent.DaemonThreadFactory;
import org.apache.ratis.protocol.RaftGroupId;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the changes to a server's groups (joins, leaves, restarts): one change of a group at a
 * time, while changes of other groups go on. A leave may run in the background: Ratis takes up
 * to a second to close a replica (its log worker sees the close only when its wait for the next
 * task ends), and a node that waited for that would join the groups a view change forms that
 * much later. A change of a group being left in the background waits for the leave first.
 */
final class GroupChanges implements AutoCloseable {
    /** How long a change waits for a background leave of its group (Ratis' own bound on a close is 3 s). */
    private static final Duration LEAVE_WAIT = Duration.ofSeconds(10);
    /** Changes of groups that share a lock wait for each other: rare with this many, and only slower. */
    private static final int LOCKS = 64;
    /** A node leaves at most its metadata group and a partition group or two at once. */
    private static final int LEAVING_THREADS = 2;

    /** One change of a group; a leave's result is ignored. */
    interface Change<T> {
        T run() throws IOException;
    }

    private final Object[] locks = new Object[LOCKS];
    private final ExecutorService leaving = Executors.newFixedThreadPool(LEAVING_THREADS,
            DaemonThreadFactory.numbered("group-leaving"));
    /**
     * The leaves of groups under way or queued; an entry goes before its future completes. At
     * most one per group, so the leaving threads' queue holds no more than the groups hosted.
     */
    private final Map<RaftGroupId, CompletableFuture<Void>> leaves = new ConcurrentHashMap<>();

    GroupChanges() {
        for (int i = 0; i < LOCKS; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * Runs {@code change} of group {@code id} now, once a background leave of the group has
     * ended, with no other change of it meanwhile. Never call it from within a change.
     */
    <T> T run(RaftGroupId id, Change<T> change) throws IOException {
        awaitLeave(id);
        synchronized (lockOf(id)) {
            return change.run();
        }
    }

    /**
     * Runs {@code leave} of group {@code id} on a background thread, unless a leave of it is
     * queued or under way already; completes when that leave has run.
     */
    CompletableFuture<Void> inBackground(RaftGroupId id, Change<?> leave) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        CompletableFuture<Void> earlier = leaves.putIfAbsent(id, done);
        if (earlier != null) {
            return earlier;
        }
        try {
            leaving.execute(() -> {
                Throwable failure = null;
                try {
                    synchronized (lockOf(id)) {
                        leave.run();
                    }
                } catch (IOException | RuntimeException e) {
                    failure = e;
                }
                leaves.remove(id, done);
                if (failure == null) {
                    done.complete(null);
                } else {
                    done.completeExceptionally(failure);
                }
            });
        } catch (RejectedExecutionException closed) {
            leaves.remove(id, done);
            done.completeExceptionally(closed);
        }
        return done;
    }

    private void awaitLeave(RaftGroupId id) throws IOException {
        CompletableFuture<Void> leave = leaves.get(id);
        if (leave == null) {
            return;
        }
        try {
            leave.get(LEAVE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            // The change finds the group as the failed leave left it.
        } catch (TimeoutException e) {
            throw new IOException("group " + id + " is still being left after " + LEAVE_WAIT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while group " + id + " was being left");
        }
    }

    private Object lockOf(RaftGroupId id) {
        return locks[Math.floorMod(id.hashCode(), LOCKS)];
    }

    /** Lets the leaves under way end (within their bound), and starts no more. */
    @Override
    public void close() {
        leaving.shutdown();
        try {
            leaving.awaitTermination(LEAVE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
