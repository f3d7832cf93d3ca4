package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes a replica accepted as hints, while its group had no majority, move with their slots in
 * a view change, and go with a replica that leaves its group, even when the replica has not yet
 * replayed them into the group's log: the window a chaos run found (issue 14). Every node holds
 * its hint replay back ({@code KVS_HOLD_HINT_REPLAY_WHILE}) until the test lets it go, so the
 * hints are still only on the replica when the change starts.
 */
class HintsAcrossViewChangeIT {
    private Path hold;
    @AutoClose
    private ProcessCluster cluster;
    private KvsClient client;
    private NodeAddress gateway;

    /** Partition 1's members: {@code holder} takes the hints while {@code other} is down. */
    private NodeAddress holder;
    private NodeAddress other;
    /** A key written through the group, then updated as a hint; a key created as a hint. */
    private String updatedKey;
    private String newKey;
    private Reply hintedUpdate;
    private Reply hintedNew;

    @BeforeEach
    void holdHintReplay() throws IOException {
        hold = Files.createTempFile("kvs-hold-hint-replay", "");
    }

    @AfterEach
    void stop() throws Exception {
        Files.deleteIfExists(hold);
    }

    /** 4 nodes, K=2: removing the member that came back dissolves partition 1, moving its slots. */
    @Test
    void hintsNotYetReplayedMoveWithTheirSlots() throws Exception {
        start("hints-slots-move", 30, 4);
        removeThenCheck(other, 1);
    }

    /** 5 nodes, K=2: removing the member that holds the hints puts the proxy in its place; no slot moves. */
    @Test
    void hintsNotYetReplayedLeaveWithTheirReplica() throws Exception {
        start("hints-replica-leaves", 33, 5);
        removeThenCheck(holder, 2);
    }

    /**
     * Starts the cluster, takes partition 1's second member down so that two writes become hints
     * on its first, then brings it back and waits until the group commits again.
     */
    private void start(String name, int block, int n) throws Exception {
        cluster = ProcessCluster.start(name, new LoopbackNetwork(block), n, 2,
                Map.of("KVS_HOLD_HINT_REPLAY_WHILE", hold.toString()));
        client = cluster.client();
        gateway = cluster.addresses().get(0);
        List<NodeAddress> members = cluster.partitions(gateway).get(1);
        holder = members.get(0);
        other = members.get(1);
        updatedKey = cluster.keyIn(1, gateway);

        cluster.node(other).kill();
        hintedUpdate = client.put(gateway, updatedKey, "hinted", "");
        assertTrue(hintedUpdate.isSuccess(), hintedUpdate.toString());
        int[] attempt = {0};
        String prefix = "fresh_" + System.nanoTime();
        newKey = await("a new key in partition 1").atMost(Duration.ofSeconds(30)).until(() -> {
            String key = prefix + "_" + attempt[0]++;
            Reply put = client.put(gateway, key, "hinted-new", "");
            if (put.isSuccess() && put.integer("partition_id") == 1) {
                hintedNew = put;
                return key;
            }
            return null;
        }, Objects::nonNull);
        assertTrue(namesHint(hintedNew), "a write without a majority is a hint: " + hintedNew);

        cluster.node(other).start();
        String probe = cluster.keyIn(1, gateway);
        await("partition 1 to commit writes again").atMost(Duration.ofSeconds(30)).until(() -> {
            Reply put = client.put(gateway, probe, "majority", "");
            return put.isSuccess() && !namesHint(put) ? put : null;
        }, Objects::nonNull);
    }

    /**
     * Removes {@code node}; then every hinted write reads back through every node, before and
     * after the held replay, and a later write wins over the replayed hint.
     */
    private void removeThenCheck(NodeAddress node, int partitionsAfter) {
        Reply removed = cluster.updateView(gateway, "remove", node);
        assertEquals(200, removed.status(), removed.toString());
        assertEquals(partitionsAfter, removed.integer("number_of_partitions"), removed.toString());
        List<NodeAddress> remaining = cluster.addresses().stream().filter(n -> !n.equals(node)).toList();
        assertReadsEverywhere(remaining, updatedKey, "hinted", hintedUpdate, "before the hints are replayed");
        assertReadsEverywhere(remaining, newKey, "hinted-new", hintedNew, "before the hints are replayed");

        Reply after = client.put(gateway, updatedKey, "after", hintedUpdate.string("causal_payload"));
        assertTrue(after.isSuccess(), after.toString());
        boolean replays = remaining.contains(holder);
        try {
            Files.delete(hold);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (replays) {
            await(holder + " to replay its hints").atMost(Duration.ofSeconds(10))
                    .until(() -> NodeLogs.mention(cluster.node(holder), "hinted writes of group 1 entered the log"));
        }
        assertReadsEverywhere(remaining, updatedKey, "after", after, "after the hints were let go");
        assertReadsEverywhere(remaining, newKey, "hinted-new", hintedNew, "after the hints were let go");
    }

    /** Through every node: with the writer's payload, and with none (nothing lost). */
    private void assertReadsEverywhere(List<NodeAddress> via, String key, String value, Reply write, String when) {
        for (NodeAddress node : via) {
            Reply withPayload = client.get(node, key, write.string("causal_payload"));
            assertEquals(value, withPayload.string("value"), key + " via " + node + " with the writer's payload, "
                    + when + ": " + withPayload);
            Reply without = client.get(node, key, "");
            assertEquals(value, without.string("value"), key + " via " + node + " without a payload, " + when
                    + ": " + without);
        }
    }

    /** Whether the payload of a write's reply names a hinted write (a position {@code h<group>@<node>}). */
    private static boolean namesHint(Reply write) {
        String text = new String(Base64.getUrlDecoder().decode(write.string("causal_payload")), StandardCharsets.UTF_8);
        return text.contains(";h");
    }
}
