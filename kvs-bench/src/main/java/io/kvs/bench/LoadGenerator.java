package io.kvs.bench;

import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Closed-loop load: {@code clients} threads, each with its own session on one endpoint (client i
 * on endpoint i mod n), each sending its next request when the last one is answered, over one
 * shared OkHttp client that reuses connections. Latencies of the measured part go into one
 * HdrHistogram per client, merged at the end.
 */
final class LoadGenerator {
    /** Preloading uses at least this many writers, however few clients the run has. */
    private static final int PRELOAD_WRITERS = 64;
    private static final int PRELOAD_ATTEMPTS = 5;
    /**
     * A write the store refuses with a {@code Retry-After} (back-pressure: its partition is busy)
     * is sent again after that pause, as a well-behaved client does, at most this many times.
     */
    private static final int MAX_BACK_PRESSURE_RETRIES = 10;
    /** Latencies up to a minute, to three significant digits. */
    private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(1);

    private final BenchOptions options;
    private final Target target;
    private final OkHttpClient http;
    private final KeyValues values;
    /** What the servers spend, if the run was given their pids; else null. */
    private final ServerCost cost;

    LoadGenerator(BenchOptions options, Target target) {
        this.options = options;
        this.target = target;
        this.http = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(Math.max(PRELOAD_WRITERS, options.clients()) + 4, 5, TimeUnit.MINUTES))
                .callTimeout(10, TimeUnit.SECONDS)
                .build();
        this.values = new KeyValues(options.valueBytes());
        this.cost = options.serverPids().isEmpty() ? null
                : new ServerCost(options.serverPids(), http, options.endpoints(), target.allocatedBytesMetric());
    }

    static String key(int i) {
        return "bench" + i;
    }

    /**
     * Runs the workload once. Calls are synchronous, so the client starts no thread that would
     * outlive the run: the process ends with it (one run per process) and its connections close.
     */
    RunResult run() throws InterruptedException {
        if (options.workload().needsPreload()) {
            Measured preload = load(Math.max(PRELOAD_WRITERS, options.clients()), PRELOAD_ATTEMPTS);
            System.err.printf("preloaded %d keys in %.1f s (%d errors)%n", options.keys(), preload.seconds,
                    preload.errors.get());
        }
        Measured measured = options.workload() == Workload.LOAD ? load(options.clients(), 1) : timed();
        return RunResult.of(options, measured.seconds, measured.errors.get(), measured.retried.get(),
                measured.merged(), measured.firstError.get(), measured.spent);
    }

    /** What the clients recorded. */
    private static final class Measured {
        final List<Histogram> histograms = new ArrayList<>();
        final AtomicLong errors = new AtomicLong();
        /** Writes sent again because the store asked for it (Retry-After). */
        final AtomicLong retried = new AtomicLong();
        final AtomicReference<String> firstError = new AtomicReference<>();
        double seconds;
        /** What the servers spent on the measured part, if measured. */
        ServerCost.Sample spent;

        synchronized Histogram newHistogram() {
            Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
            histograms.add(histogram);
            return histogram;
        }

        /** Records a request of the measured part: its latency if it succeeded, else its failure. */
        void record(Answer answer, Histogram histogram) {
            if (answer.ok()) {
                histogram.recordValue(Math.min(HIGHEST_MICROS, answer.micros()));
            } else {
                errors.incrementAndGet();
                firstError.compareAndSet(null, answer.why());
            }
        }

        Histogram merged() {
            Histogram all = new Histogram(HIGHEST_MICROS, 3);
            histograms.forEach(all::add);
            return all;
        }
    }

    /**
     * Every key written once by {@code writers} clients, each taking every n-th key, a failed write
     * tried again up to {@code attempts} times in all: a preload that left a key out would show
     * up later as a read of a missing key. Only the last attempt counts, a failure as an error.
     * Each attempt honours the store's back-pressure ({@link #putHonouringRetryAfter}).
     */
    private Measured load(int writers, int attempts) throws InterruptedException {
        Measured measured = new Measured();
        long start = System.nanoTime();
        ServerCost.Sample before = cost == null ? null : cost.sample();
        runClients(writers, index -> {
            Target.Session session = session(index);
            Histogram histogram = measured.newHistogram();
            for (int k = index; k < options.keys(); k += writers) {
                Answer answer = putHonouringRetryAfter(session, key(k), measured);
                for (int attempt = 1; !answer.ok() && attempt < attempts; attempt++) {
                    answer = putHonouringRetryAfter(session, key(k), measured);
                }
                measured.record(answer, histogram);
            }
        }, () -> { });
        measured.seconds = (System.nanoTime() - start) / 1e9;
        if (cost != null) {
            measured.spent = cost.sample().since(before);
        }
        return measured;
    }

    /** The workload for the warm-up and then the measured duration; only requests begun in the latter count. */
    private Measured timed() throws InterruptedException {
        Measured measured = new Measured();
        long measureFrom = System.nanoTime() + options.warmup().toNanos();
        long end = measureFrom + options.duration().toNanos();
        runClients(options.clients(), index -> {
            Target.Session session = session(index);
            Histogram histogram = measured.newHistogram();
            SplittableRandom random = new SplittableRandom(index * 7919L + 1);
            long now;
            while ((now = System.nanoTime()) < end) {
                String key = key(random.nextInt(options.keys()));
                boolean read = switch (options.workload()) {
                    case GET -> true;
                    case MIXED -> random.nextInt(100) < options.readPercent();
                    default -> false;
                };
                Answer answer = send(read ? session.get(key) : session.put(key, values.of(key)), session);
                if (now >= measureFrom) {
                    measured.record(answer, histogram);
                }
            }
        }, () -> {
            if (cost != null) {
                sleepUntil(measureFrom);
                ServerCost.Sample before = cost.sample();
                sleepUntil(end);
                measured.spent = cost.sample().since(before);
            }
        });
        measured.seconds = options.duration().toNanos() / 1e9;
        return measured;
    }

    private Target.Session session(int client) {
        List<String> endpoints = options.endpoints();
        return target.session(HttpUrl.get("http://" + endpoints.get(client % endpoints.size()) + "/"));
    }

    /**
     * A request's answer as its client saw it: success or what went wrong, how long it took, and
     * how long the store asked the client to wait before sending it again (0: it did not ask).
     */
    private record Answer(boolean ok, String why, long micros, long retryAfterMillis) {
        Answer tookSince(long startNanos) {
            return new Answer(ok, why, (System.nanoTime() - startNanos) / 1000, retryAfterMillis);
        }
    }

    private Answer send(Request request, Target.Session session) {
        long start = System.nanoTime();
        String what = request.method() + " " + request.url().encodedPath() + ": ";
        try (Response response = http.newCall(request).execute()) {
            String failure = session.failure(response);
            long retryAfter = failure == null ? 0 : retryAfterMillis(response.header("Retry-After"));
            return new Answer(failure == null, failure == null ? null : what + failure, 0, retryAfter).tookSince(start);
        } catch (IOException e) {
            return new Answer(false, what + e, 0, 0).tookSince(start);
        }
    }

    /** HTTP's Retry-After in whole seconds (the form kvs sends), in millis; 0 if absent or another form. */
    static long retryAfterMillis(String header) {
        if (header == null || !header.matches("[0-9]{1,4}")) {
            return 0;
        }
        return TimeUnit.SECONDS.toMillis(Integer.parseInt(header));
    }

    /**
     * A write, sent again after the pause the store asks for while it refuses it with a
     * Retry-After, at most {@link #MAX_BACK_PRESSURE_RETRIES} times; its latency is the whole
     * time until the last answer, pauses included.
     */
    private Answer putHonouringRetryAfter(Target.Session session, String key, Measured measured) {
        long start = System.nanoTime();
        String value = values.of(key);
        Answer answer = send(session.put(key, value), session);
        for (int retry = 0; !answer.ok() && answer.retryAfterMillis() > 0 && retry < MAX_BACK_PRESSURE_RETRIES; retry++) {
            measured.retried.incrementAndGet();
            sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(answer.retryAfterMillis()));
            answer = send(session.put(key, value), session);
        }
        return answer.tookSince(start);
    }

    private interface ClientBody {
        void run(int index);
    }

    /** Runs {@code clients} clients, and {@code meanwhile} on this thread while they run. */
    private void runClients(int clients, ClientBody body, Runnable meanwhile) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int index = i;
            Thread thread = new Thread(() -> body.run(index), "client-" + i);
            thread.start();
            threads.add(thread);
        }
        meanwhile.run();
        for (Thread thread : threads) {
            thread.join();
        }
    }

    private static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
