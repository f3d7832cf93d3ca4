package io.kvs.raft.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the node's own background threads: daemons, so that a node closed in part (a failed
 * start, a test) never keeps its JVM alive, and named for what they do, so that a thread dump
 * reads as the node's structure. A pool's threads are numbered; a single thread keeps the bare name.
 */
public final class DaemonThreadFactory implements ThreadFactory {
    private final String name;
    private final boolean numbered;
    private final AtomicInteger count = new AtomicInteger();

    private DaemonThreadFactory(String name, boolean numbered) {
        this.name = name;
        this.numbered = numbered;
    }

    /** For an executor of one thread, named {@code name}. */
    public static DaemonThreadFactory single(String name) {
        return new DaemonThreadFactory(name, false);
    }

    /** For a pool, its threads named {@code prefix-1}, {@code prefix-2}, ... */
    public static DaemonThreadFactory numbered(String prefix) {
        return new DaemonThreadFactory(prefix, true);
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, numbered ? name + "-" + count.incrementAndGet() : name);
        thread.setDaemon(true);
        return thread;
    }
}
