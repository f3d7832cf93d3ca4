package io.kvs.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatusReportTest {
    private static final Gson GSON = new Gson();

    @Test
    void rendersNodesPartitionsAndTheChangeAsTables() {
        JsonObject status = GSON.fromJson("""
                {"node":"10.0.0.1:8080","view_epoch":3,"k":2,"number_of_partitions":1,
                 "nodes":[{"address":"10.0.0.1:8080","partition_id":0,"reachable":true,"ready":true,
                           "not_ready_because":null,"view_epoch":3,"hints_pending":0},
                          {"address":"10.0.0.2:8080","partition_id":0,"reachable":false,"ready":false,
                           "not_ready_because":"no report within the deadline","view_epoch":null,"hints_pending":0},
                          {"address":"10.0.0.3:8080","partition_id":null,"reachable":true,"ready":true,
                           "not_ready_because":null,"view_epoch":3,"hints_pending":2}],
                 "partitions":[{"partition_id":0,"members":["10.0.0.1:8080","10.0.0.2:8080"],
                                "leader":"10.0.0.1:8080","keys":12,"hints_pending":2}],
                 "change":{"type":"add","ip_port":"10.0.0.4:8080","to_epoch":4,"number_of_partitions":2,
                           "step":"groups_ready","coordinator":"10.0.0.1:8080",
                           "progress":{"slots_to_move":100,"slots_moved":50,"keys_moved":7}}}""", JsonObject.class);
        String text = StatusReport.render(status);
        assertTrue(text.startsWith("view epoch 3, 3 nodes, K=2, 1 partitions (as 10.0.0.1:8080 sees it)"), text);
        assertTrue(text.contains("10.0.0.2:8080  0          unreachable"), text);
        assertTrue(text.contains("10.0.0.3:8080  proxy      ready"), text);
        assertTrue(text.contains("0          10.0.0.1:8080,10.0.0.2:8080  10.0.0.1:8080  12    2"), text);
        assertTrue(text.contains("view change: add 10.0.0.4:8080, step groups_ready, to view epoch 4: 50 of 100 slots,"
                + " 7 keys moved"), text);
        assertEquals("[###############...............] 50/100 slots, 7 keys moved, step groups_ready",
                ProgressBar.of(status.getAsJsonObject("change")));
    }
}
