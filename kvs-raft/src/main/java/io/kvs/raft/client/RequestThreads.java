package io.kvs.raft.client;

import io.kvs.raft.concurrent.DaemonThreadFactory;

import java.io.Closeable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A node's threads for what follows a step of a client request: a retry after its pause, the
 * next batch once a leader's own server answered one. Not the common pool: Ratis runs a
 * follower's appends there, and its clients close connections to dead peers there, waiting
 * seconds for each; a request's next step queued behind those closes would miss its deadline,
 * and so would a follower's appends behind a node's own busy requests. Tasks are short: the
 * longest is a write to this node's replica alone, with its fsync. Should more than
 * {@value #MAX_QUEUED} wait, the one that finds no room runs on the thread that hands it over,
 * slower but never dropped: a dropped step would leave its request unanswered.
 */
public final class RequestThreads implements Executor, Closeable {
    /** Tasks waiting for a thread: each is a request's step, so far more than the node ever has in flight. */
    private static final int MAX_QUEUED = 100_000;
    private final ThreadPoolExecutor pool;

    /** @param name the node, for the threads' names */
    public RequestThreads(String name) {
        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(MAX_QUEUED),
                DaemonThreadFactory.numbered(name + "-requests"), new ThreadPoolExecutor.CallerRunsPolicy());
        pool.allowCoreThreadTimeOut(true);
    }

    /** Runs {@code task} on one of the threads. */
    @Override
    public void execute(Runnable task) {
        pool.execute(task);
    }

    /** An executor that runs tasks on these threads after {@code millis}. */
    public Executor after(long millis) {
        return CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS, this);
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
