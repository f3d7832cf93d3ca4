package io.kvs.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import org.HdrHistogram.Histogram;

/**
 * What one run measured: throughput over the measured part, latency percentiles of its
 * successful requests (milliseconds), how many requests failed, how many writes were sent again
 * because the store asked for it (Retry-After: the load workload only), and, if the run was given the
 * servers' pids, the CPU seconds and bytes the servers spent on the measured part (else null).
 * One JSON line each.
 */
record RunResult(String label, String target, String workload, int clients, int keys, int valueBytes,
                 double seconds, long ops, long errors, long retried, double throughput, double p50, double p99, double p999,
                 double max, String firstError, Double serverCpuSeconds, Double serverAllocatedBytes) {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    static RunResult of(BenchOptions options, double seconds, long errors, long retried, Histogram micros,
                        String firstError, ServerCost.Sample spent) {
        long ops = micros.getTotalCount();
        return new RunResult(options.label(), options.target(), options.workload().name().toLowerCase(),
                options.clients(), options.keys(), options.valueBytes(), seconds, ops, errors, retried,
                seconds > 0 ? ops / seconds : 0, millis(micros, 50), millis(micros, 99), millis(micros, 99.9),
                micros.getMaxValue() / 1000.0, firstError, spent == null ? null : spent.cpuSeconds(),
                spent == null ? null : spent.allocatedBytes());
    }

    private static double millis(Histogram micros, double percentile) {
        return micros.getValueAtPercentile(percentile) / 1000.0;
    }

    String toJson() {
        return GSON.toJson(this);
    }

    static RunResult fromJson(String line) {
        return GSON.fromJson(line, RunResult.class);
    }
}
