package io.kvs.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultTableTest {

    private static RunResult run(String label, String target, String workload, int clients, double throughput,
                                 double p99) {
        return new RunResult(label, target, workload, clients, 10, 100, 10, (long) throughput * 10, 0, throughput,
                1, p99, 2 * p99, 3 * p99, null);
    }

    @Test
    void eachKvsRunStandsBesideTheEtcdRunOfItsWorkloadWithRatios() {
        String table = new ResultTable(java.util.List.of(
                run("etcd", "etcd", "put", 64, 1000, 20),
                run("kvs 3", "kvs", "put", 64, 1500, 10),
                run("kvs 3", "kvs", "get", 1, 800, 2))).render();
        assertTrue(table.contains("### kvs 3 vs etcd"), table);
        assertTrue(table.contains("| put | 64 | 1000 | 1500 | 1.50 | 1.00 | 1.00 | 20.00 | 10.00 | 0.50 |"), table);
        assertTrue(table.contains("| get | 1 | - | 800 | - |"), "a run without its etcd twin: " + table);
    }

    @Test
    void resultsRoundTripThroughJson() {
        RunResult result = run("kvs", "kvs", "mixed", 16, 123.5, 4.25);
        assertTrue(RunResult.fromJson(result.toJson()).equals(result));
    }
}
