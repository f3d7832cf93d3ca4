package io.kvs.bench;

import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the servers spend on a run: the CPU time of their processes (from {@code /proc}, so every
 * thread counts: compilers, collectors, the store's own) and the bytes they allocated (from each
 * endpoint's Prometheus metrics), sampled when the measured part begins and when it ends. These
 * are the figures that carry over to a machine of another size, where throughput does not.
 */
final class ServerCost {
    /** /proc gives CPU time in ticks of USER_HZ, which Linux fixes at 100 per second. */
    private static final double TICKS_PER_SECOND = 100;

    private final List<Long> pids;
    private final OkHttpClient http;
    private final List<HttpUrl> metrics;
    private final String allocatedMetric;

    /**
     * A reading: CPU seconds of every process together, and bytes allocated by every endpoint
     * together (null if an endpoint's metrics could not be read).
     */
    record Sample(double cpuSeconds, Double allocatedBytes) {
        /** What was spent between {@code earlier} and this reading. */
        Sample since(Sample earlier) {
            Double allocated = allocatedBytes == null || earlier.allocatedBytes == null ? null
                    : allocatedBytes - earlier.allocatedBytes;
            return new Sample(cpuSeconds - earlier.cpuSeconds, allocated);
        }
    }

    /**
     * @param pids            the server processes, all of them (every node, every member)
     * @param endpoints       host:port of each server's HTTP API, which serves {@code /metrics}
     * @param allocatedMetric the counter of bytes allocated, as the servers name it
     */
    ServerCost(List<Long> pids, OkHttpClient http, List<String> endpoints, String allocatedMetric) {
        this.pids = List.copyOf(pids);
        this.http = http;
        this.metrics = endpoints.stream().map(e -> HttpUrl.get("http://" + e + "/metrics")).toList();
        this.allocatedMetric = allocatedMetric;
    }

    Sample sample() {
        double cpu = 0;
        for (long pid : pids) {
            cpu += cpuSeconds(pid);
        }
        return new Sample(cpu, allocatedBytes());
    }

    private Double allocatedBytes() {
        double total = 0;
        for (HttpUrl url : metrics) {
            try (Response response = http.newCall(new Request.Builder().url(url).build()).execute()) {
                if (!response.isSuccessful()) {
                    return null;
                }
                total += sumOf(allocatedMetric, response.body().string());
            } catch (IOException e) {
                return null;
            }
        }
        return total;
    }

    /** User and system CPU seconds a process has used; a process that has exited counts nothing. */
    static double cpuSeconds(long pid) {
        try {
            return cpuSecondsOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException e) {
            return 0;
        }
    }

    /** utime and stime of a {@code /proc/<pid>/stat} line: fields 14 and 15, counted after the name's closing ')'. */
    static double cpuSecondsOf(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
    }

    /** The sum of a metric's samples, over all its label sets, in Prometheus' text format. */
    static double sumOf(String metric, String text) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(metric) && line.length() > metric.length()
                    && (line.charAt(metric.length()) == ' ' || line.charAt(metric.length()) == '{')) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
