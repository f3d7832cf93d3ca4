package io.kvs.raft.client;

import io.kvs.raft.concurrent.DaemonThreadFactory;
import org.apache.ratis.client.RaftClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Closes Ratis clients on threads of its own. Closing a client waits for its connections to
 * drain, up to five seconds for a peer that is down (gRPC's graceful, then forced, shutdown).
 * Nowhere else may wait that long: on the common pool it would hold a thread Ratis needs for a
 * follower's appends; on the node's {@link RequestThreads}, every request step queued behind it.
 */
final class ClientCloser {
    private static final Logger LOG = LoggerFactory.getLogger(ClientCloser.class);
    /** Closes under way at once: each mostly waits for connections, not for a CPU. */
    private static final int THREADS = 8;
    /** Clients waiting to be closed; far more than view changes and lost peers ever retire at once. */
    private static final int MAX_PENDING = 10_000;
    private static final ThreadPoolExecutor CLOSING = newExecutor();

    private ClientCloser() {
    }

    private static ThreadPoolExecutor newExecutor() {
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(MAX_PENDING), DaemonThreadFactory.numbered("raft-client-closer"));
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }

    /** Closes {@code client} after {@code delay} (requests may still be using it), off the caller's thread. */
    static void closeAfter(RaftClient client, Duration delay) {
        CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, ClientCloser::submit)
                .execute(() -> close(client));
    }

    /** Closes {@code client} off the caller's thread. */
    static void closeSoon(RaftClient client) {
        submit(() -> close(client));
    }

    private static void submit(Runnable closing) {
        try {
            CLOSING.execute(closing);
        } catch (RejectedExecutionException e) {
            LOG.warn("{} Raft clients already wait to be closed; one more is left to the garbage collector",
                    CLOSING.getQueue().size());
        }
    }

    /** Closes {@code client} on the calling thread, which may wait for its connections to drain. */
    static void close(RaftClient client) {
        try {
            client.close();
        } catch (IOException e) {
            LOG.debug("closing client of {}: {}", client.getGroupId(), e.toString());
        }
    }
}
