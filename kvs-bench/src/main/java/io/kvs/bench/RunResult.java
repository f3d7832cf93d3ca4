package io.kvs.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import org.HdrHistogram.Histogram;

/**
 * What one run measured: throughput over the measured part, latency percentiles of its
 * successful requests (milliseconds), and how many requests failed. One JSON line each.
 */
record RunResult(String label, String target, String workload, int clients, int keys, int valueBytes,
                 double seconds, long ops, long errors, double throughput, double p50, double p99, double p999,
                 double max, String firstError) {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    static RunResult of(BenchOptions options, double seconds, long errors, Histogram micros, String firstError) {
        long ops = micros.getTotalCount();
        return new RunResult(options.label(), options.target(), options.workload().name().toLowerCase(),
                options.clients(), options.keys(), options.valueBytes(), seconds, ops, errors,
                seconds > 0 ? ops / seconds : 0, millis(micros, 50), millis(micros, 99), millis(micros, 99.9),
                micros.getMaxValue() / 1000.0, firstError);
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
