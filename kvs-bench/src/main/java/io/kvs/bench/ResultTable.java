package io.kvs.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Renders run results as Markdown: one table per kvs cluster, each of its runs beside the etcd
 * run of the same workload and client count, with the ratios kvs/etcd. A throughput ratio above
 * 1 and a latency ratio below 1 favour kvs. Then, with more than one kvs cluster, a table of
 * their writes side by side: what more nodes and partitions add to the first cluster's rate, and
 * what each write costs the servers against etcd's. Last, for the runs that measured what the
 * servers spent, one table of CPU and allocation per operation, where a ratio below 1 favours kvs.
 */
final class ResultTable {
    private final List<RunResult> results;

    ResultTable(List<RunResult> results) {
        this.results = List.copyOf(results);
    }

    String render() {
        Map<String, List<RunResult>> byCluster = new LinkedHashMap<>();
        for (RunResult result : results) {
            if (result.target().equals("kvs")) {
                byCluster.computeIfAbsent(result.label(), l -> new ArrayList<>()).add(result);
            }
        }
        StringBuilder out = new StringBuilder();
        byCluster.forEach((label, runs) -> {
            out.append("### ").append(label).append(" vs etcd\n\n");
            out.append("| workload | clients | etcd ops/s | kvs ops/s | kvs/etcd | etcd p50 ms | kvs p50 ms "
                    + "| etcd p99 ms | kvs p99 ms | p99 kvs/etcd | etcd p99.9 ms | kvs p99.9 ms | errors etcd/kvs |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (RunResult kvs : runs) {
                Optional<RunResult> etcd = etcdRun(kvs);
                out.append(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %s | %s | %.2f | %s | %.2f | %s | %s | %.2f | %s/%d |\n",
                        kvs.workload(), kvs.clients(),
                        etcd.map(e -> String.format(Locale.ROOT, "%.0f", e.throughput())).orElse("-"),
                        kvs.throughput(),
                        etcd.map(e -> ratio(kvs.throughput(), e.throughput())).orElse("-"),
                        etcd.map(e -> String.format(Locale.ROOT, "%.2f", e.p50())).orElse("-"),
                        kvs.p50(),
                        etcd.map(e -> String.format(Locale.ROOT, "%.2f", e.p99())).orElse("-"),
                        kvs.p99(),
                        etcd.map(e -> ratio(kvs.p99(), e.p99())).orElse("-"),
                        etcd.map(e -> String.format(Locale.ROOT, "%.2f", e.p999())).orElse("-"),
                        kvs.p999(),
                        etcd.map(e -> Long.toString(e.errors())).orElse("-"), kvs.errors()));
            }
            out.append('\n');
        });
        appendScale(byCluster, out);
        appendEfficiency(out);
        return out.toString();
    }

    /** Writes of every kvs cluster against the first one's at the same client count, and their cost against etcd's. */
    private void appendScale(Map<String, List<RunResult>> byCluster, StringBuilder out) {
        if (byCluster.size() < 2) {
            return;
        }
        String first = byCluster.keySet().iterator().next();
        out.append("### Scale: writes by cluster shape\n\n");
        out.append("| cluster | clients | writes/s | vs ").append(first)
                .append(" | server CPU s per 1,000 writes | CPU kvs/etcd |\n");
        out.append("|---|---:|---:|---:|---:|---:|\n");
        byCluster.forEach((label, runs) -> runs.stream().filter(r -> r.workload().equals("put")).forEach(run -> {
            Optional<RunResult> base = byCluster.get(first).stream()
                    .filter(r -> r.workload().equals("put") && r.clients() == run.clients()).findFirst();
            Optional<RunResult> etcd = etcdRun(run).filter(ResultTable::costed);
            boolean spent = costed(run);
            out.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %s | %s | %s |\n", label, run.clients(),
                    run.throughput(), base.map(b -> ratio(run.throughput(), b.throughput())).orElse("-"),
                    spent ? String.format(Locale.ROOT, "%.3f", cpuPerThousand(run)) : "-",
                    spent ? etcd.map(e -> ratio(cpuPerThousand(run), cpuPerThousand(e))).orElse("-") : "-"));
        }));
        out.append('\n');
    }

    private static boolean costed(RunResult run) {
        return run.serverCpuSeconds() != null && run.ops() > 0;
    }

    private void appendEfficiency(StringBuilder out) {
        List<RunResult> costed = results.stream().filter(ResultTable::costed).toList();
        if (costed.isEmpty()) {
            return;
        }
        out.append("### Efficiency: what the servers spend per operation\n\n");
        out.append("| system | workload | clients | ops/s | server CPU s per 1,000 ops | CPU kvs/etcd "
                + "| server KB allocated per op | allocation kvs/etcd |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult run : costed) {
            Optional<RunResult> etcd = run.target().equals("kvs") ? etcdRun(run).filter(costed::contains)
                    : Optional.empty();
            out.append(String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.3f | %s | %s | %s |\n",
                    run.label(), run.workload(), run.clients(), run.throughput(), cpuPerThousand(run),
                    etcd.map(e -> ratio(cpuPerThousand(run), cpuPerThousand(e))).orElse("-"),
                    run.serverAllocatedBytes() == null ? "-"
                            : String.format(Locale.ROOT, "%.1f", kilobytesPerOp(run)),
                    etcd.filter(e -> e.serverAllocatedBytes() != null && run.serverAllocatedBytes() != null)
                            .map(e -> ratio(kilobytesPerOp(run), kilobytesPerOp(e))).orElse("-")));
        }
        out.append('\n');
    }

    private static double cpuPerThousand(RunResult run) {
        return run.serverCpuSeconds() * 1000 / run.ops();
    }

    private static double kilobytesPerOp(RunResult run) {
        return run.serverAllocatedBytes() / 1024 / run.ops();
    }

    private Optional<RunResult> etcdRun(RunResult kvs) {
        return results.stream().filter(r -> r.target().equals("etcd") && r.workload().equals(kvs.workload())
                && r.clients() == kvs.clients()).findFirst();
    }

    private static String ratio(double a, double b) {
        return b > 0 ? String.format(Locale.ROOT, "%.2f", a / b) : "-";
    }
}
