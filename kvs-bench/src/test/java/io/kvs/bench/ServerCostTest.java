package io.kvs.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerCostTest {

    @Test
    void cpuTimeIsUserPlusSystemTicksOfAStatLineWhoseNameHasSpacesAndParentheses() {
        String stat = "4242 (C2 (Compiler) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 30 0 1 0";
        assertEquals(3.25, ServerCost.cpuSecondsOf(stat), 1e-9);
    }

    @Test
    void thisProcessHasUsedSomeCpuAndAnExitedOneNone() {
        assertTrue(ServerCost.cpuSeconds(ProcessHandle.current().pid()) > 0);
        assertEquals(0, ServerCost.cpuSeconds(Integer.MAX_VALUE));
    }

    @Test
    void aMetricIsSummedOverItsLabelSetsAndNoOtherMetricCounts() {
        String text = """
                # HELP jvm_gc_memory_allocated_bytes_total bytes
                # TYPE jvm_gc_memory_allocated_bytes_total counter
                jvm_gc_memory_allocated_bytes_total 1.5E9
                jvm_gc_memory_allocated_bytes_total_other 7
                go_memstats_alloc_bytes_total{instance="a"} 100
                go_memstats_alloc_bytes_total{instance="b"} 23
                """;
        assertEquals(1.5e9, ServerCost.sumOf("jvm_gc_memory_allocated_bytes_total", text));
        assertEquals(123, ServerCost.sumOf("go_memstats_alloc_bytes_total", text));
        assertEquals(0, ServerCost.sumOf("absent_total", text));
    }

    @Test
    void whatWasSpentIsTheDifferenceAndUnknownIfEitherAllocationIs() {
        ServerCost.Sample spent = new ServerCost.Sample(5, 300.0).since(new ServerCost.Sample(2, 100.0));
        assertEquals(3, spent.cpuSeconds());
        assertEquals(200.0, spent.allocatedBytes());
        assertNull(new ServerCost.Sample(5, null).since(new ServerCost.Sample(2, 100.0)).allocatedBytes());
    }
}
