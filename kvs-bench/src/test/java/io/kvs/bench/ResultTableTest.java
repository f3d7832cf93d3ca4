package io.kvs.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResultTableTest {

    private static RunResult run(String label, String target, String workload, int clients, double throughput,
                                 double p99) {
        return new RunResult(label, target, workload, clients, 10, 100, 10, (long) throughput * 10, 0, 0, throughput,
                1, p99, 2 * p99, 3 * p99, null, null, null);
    }

    private static RunResult costed(String label, String target, double throughput, double cpuSeconds,
                                    Double allocatedBytes) {
        return new RunResult(label, target, "put", 64, 10, 100, 10, (long) throughput * 10, 0, 0, throughput,
                1, 2, 3, 4, null, cpuSeconds, allocatedBytes);
    }

    @Test
    void runsThatMeasuredTheServersGetCpuAndAllocationPerOperation() {
        String table = new ResultTable(List.of(
                costed("etcd", "etcd", 1000, 10, 10_240_000.0),
                costed("kvs 3", "kvs", 2000, 10, 81_920_000.0),
                run("kvs 3", "kvs", "get", 1, 800, 2))).render();
        assertTrue(table.contains("### Efficiency"), table);
        // etcd: 10 CPU s over 10,000 ops, 1 KB per op; kvs: 10 CPU s over 20,000 ops, 4 KB per op.
        assertTrue(table.contains("| etcd | put | 64 | 1000 | 1.000 | - | 1.0 | - |"), table);
        assertTrue(table.contains("| kvs 3 | put | 64 | 2000 | 0.500 | 0.50 | 4.0 | 4.00 |"), table);
        assertFalse(table.contains("| kvs 3 | get |"), "a run that did not measure the servers: " + table);
    }

    @Test
    void writesOfEveryClusterShapeStandAgainstTheFirstAndTheirCostAgainstEtcds() {
        String table = new ResultTable(List.of(
                costed("etcd", "etcd", 1000, 10, null),
                costed("kvs 3", "kvs", 2000, 10, null),
                costed("kvs 6", "kvs", 1500, 15, null),
                run("kvs 6", "kvs", "put", 1, 400, 2),
                run("kvs 6", "kvs", "get", 64, 9000, 2))).render();
        assertTrue(table.contains("### Scale: writes by cluster shape"), table);
        assertTrue(table.contains("| cluster | clients | writes/s | vs kvs 3 |"), table);
        // etcd: 1.0 CPU s per 1,000 writes; kvs 3: 0.5; kvs 6: 15 s over 15,000 writes, 1.0.
        assertTrue(table.contains("| kvs 3 | 64 | 2000 | 1.00 | 0.500 | 0.50 |"), table);
        assertTrue(table.contains("| kvs 6 | 64 | 1500 | 0.75 | 1.000 | 1.00 |"), table);
        assertTrue(table.contains("| kvs 6 | 1 | 400 | - | - | - |"), "no twin in the first cluster, no cost: " + table);
        assertFalse(table.contains("| kvs 6 | 64 | 9000 |"), "reads are not writes: " + table);
    }

    @Test
    void oneClusterHasNoScaleTable() {
        String table = new ResultTable(List.of(run("kvs 3", "kvs", "put", 64, 1500, 10))).render();
        assertFalse(table.contains("Scale"), table);
    }

    @Test
    void withoutServerCostsThereIsNoEfficiencyTable() {
        String table = new ResultTable(List.of(run("kvs 3", "kvs", "put", 64, 1500, 10))).render();
        assertFalse(table.contains("Efficiency"), table);
    }

    @Test
    void eachKvsRunStandsBesideTheEtcdRunOfItsWorkloadWithRatios() {
        String table = new ResultTable(List.of(
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
