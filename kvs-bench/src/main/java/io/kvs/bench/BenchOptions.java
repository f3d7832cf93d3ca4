package io.kvs.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One run's settings, from the command line:
 * {@code --target kvs|etcd --endpoints host:port,... --workload put|get|mixed|load --clients N
 * --keys N --value-bytes N --warmup-seconds S --seconds S --read-percent P --label text
 * --server-pids pid,...}. With the servers' pids, a run also reports what they spent on it
 * ({@link ServerCost}).
 */
record BenchOptions(String target, List<String> endpoints, Workload workload, int clients, int keys,
                    int valueBytes, Duration warmup, Duration duration, int readPercent, String label,
                    List<Long> serverPids) {

    static final String USAGE = """
            usage: java -jar kvs-bench.jar --target kvs|etcd --endpoints host:port[,host:port...]
                     [--workload put|get|mixed|load] [--clients 16] [--keys 10000] [--value-bytes 100]
                     [--warmup-seconds 3] [--seconds 10] [--read-percent 50] [--label name]
                     [--server-pids pid,pid...]
                   java -jar kvs-bench.jar table results.jsonl
            Prints one JSON line with throughput and latency percentiles; 'table' renders such lines
            as Markdown tables, each kvs run beside the etcd run of the same workload.""";

    BenchOptions {
        endpoints = List.copyOf(endpoints);
        serverPids = List.copyOf(serverPids);
        if (!target.equals("kvs") && !target.equals("etcd")) {
            throw new IllegalArgumentException("--target must be kvs or etcd, not " + target);
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("--endpoints names no host:port");
        }
        for (String endpoint : endpoints) {
            if (!endpoint.matches("[^:/\\s]+:\\d{1,5}")) {
                throw new IllegalArgumentException("an endpoint is host:port, not " + endpoint);
            }
        }
        requirePositive("--clients", clients);
        requirePositive("--keys", keys);
        requirePositive("--value-bytes", valueBytes);
        if (duration.isZero() || duration.isNegative() || warmup.isNegative()) {
            throw new IllegalArgumentException("--seconds must be positive and --warmup-seconds not negative");
        }
        if (readPercent < 0 || readPercent > 100) {
            throw new IllegalArgumentException("--read-percent must be 0..100, not " + readPercent);
        }
    }

    static BenchOptions parse(String... args) {
        String target = null;
        List<String> endpoints = new ArrayList<>();
        Workload workload = Workload.PUT;
        int clients = 16;
        int keys = 10_000;
        int valueBytes = 100;
        long warmup = 3;
        long seconds = 10;
        int readPercent = 50;
        String label = null;
        List<Long> serverPids = List.of();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--target" -> target = value.toLowerCase(Locale.ROOT);
                case "--endpoints" -> endpoints = Arrays.asList(value.split(","));
                case "--workload" -> workload = Workload.parse(value);
                case "--clients" -> clients = integer(name, value);
                case "--keys" -> keys = integer(name, value);
                case "--value-bytes" -> valueBytes = integer(name, value);
                case "--warmup-seconds" -> warmup = integer(name, value);
                case "--seconds" -> seconds = integer(name, value);
                case "--read-percent" -> readPercent = integer(name, value);
                case "--label" -> label = value;
                case "--server-pids" -> serverPids = pids(value);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("--target is required");
        }
        return new BenchOptions(target, endpoints, workload, clients, keys, valueBytes, Duration.ofSeconds(warmup),
                Duration.ofSeconds(seconds), readPercent, label == null ? target : label, serverPids);
    }

    private static List<Long> pids(String value) {
        List<Long> pids = new ArrayList<>();
        for (String pid : value.split(",")) {
            if (!pid.matches("\\d{1,10}")) {
                throw new IllegalArgumentException("--server-pids takes process ids, not " + value);
            }
            pids.add(Long.parseLong(pid));
        }
        return pids;
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " takes a number, not " + value);
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, not " + value);
        }
    }
}
