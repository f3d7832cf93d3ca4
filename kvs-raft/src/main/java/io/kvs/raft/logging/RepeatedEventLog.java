package io.kvs.raft.logging;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Logs an event that can happen once per request (a group that does not answer, replicas that
 * cannot serve alone, a Raft client given up) at most once per interval: the first at once,
 * later ones as a count on the next line logged. While a partition has no majority every request
 * meets it, and a line per request would fill the node's log, and its disk, at the rate of
 * requests.
 */
public final class RepeatedEventLog {
    private final Logger log;
    private final LongSupplier nanoTime;
    private final long intervalNanos;
    private final AtomicLong nextLineNanos;
    private final AtomicLong unlogged = new AtomicLong();

    public RepeatedEventLog(Logger log, Duration interval) {
        this(log, interval, System::nanoTime);
    }

    RepeatedEventLog(Logger log, Duration interval, LongSupplier nanoTime) {
        this.log = log;
        this.nanoTime = nanoTime;
        this.intervalNanos = interval.toNanos();
        this.nextLineNanos = new AtomicLong(nanoTime.getAsLong());
    }

    /** Records one event; logs it at INFO, with the events not logged since the last line, if the interval has passed. */
    public void record(String format, Object... arguments) {
        long now = nanoTime.getAsLong();
        long next = nextLineNanos.get();
        if (now - next < 0 || !nextLineNanos.compareAndSet(next, now + intervalNanos)) {
            unlogged.incrementAndGet();
            return;
        }
        long more = unlogged.getAndSet(0);
        if (more == 0) {
            log.info(format, arguments);
        } else {
            log.info(format + " (and {} more since the last such line)", append(arguments, more));
        }
    }

    private static Object[] append(Object[] arguments, Object last) {
        Object[] all = Arrays.copyOf(arguments, arguments.length + 1);
        all[arguments.length] = last;
        return all;
    }
}
