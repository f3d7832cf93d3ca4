package io.kvs.http.faults;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient;
import io.kvs.http.cluster.NodeProcess;
import io.kvs.http.cluster.ProcessCluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A seeded random schedule of faults: a node cut off the network, the nodes split in two,
 * a node paused, a node killed (and restarted from its data), and view changes (a spare node
 * added, which splits a partition, and removed again). At most two faults at a time, each
 * lasting one to four seconds, every fault recorded with when it lasted.
 */
final class FaultSchedule {
    private static final long TICK_MILLIS = 250;
    private static final int MAX_ACTIVE = 2;

    private final Random random;
    private final ProcessCluster cluster;
    private final NamespaceNetwork network;
    private final ChaosIT.History history;
    private final List<Active> active = new ArrayList<>();
    private NodeAddress spare;
    private boolean spareAdded;

    /** A fault in force: what it is, when it began, when it is to end, and how to end it. */
    private record Active(String what, List<NodeAddress> nodes, long start, long until, Healer heal) {
    }

    private interface Healer {
        void heal() throws IOException, InterruptedException;
    }

    FaultSchedule(Random random, ProcessCluster cluster, NamespaceNetwork network, ChaosIT.History history) {
        this.random = random;
        this.cluster = cluster;
        this.network = network;
        this.history = history;
    }

    /** Ends the faults whose time is up, maybe starts one, then waits a tick. */
    void step() throws IOException, InterruptedException {
        long now = System.nanoTime();
        for (Iterator<Active> it = active.iterator(); it.hasNext(); ) {
            Active fault = it.next();
            if (now >= fault.until()) {
                end(fault);
                it.remove();
            }
        }
        if (active.size() < MAX_ACTIVE && random.nextInt(4) == 0) {
            start();
        }
        Thread.sleep(TICK_MILLIS);
    }

    void healAll() throws IOException, InterruptedException {
        for (Active fault : active) {
            end(fault);
        }
        active.clear();
        network.healPartitions();
    }

    private void start() throws IOException, InterruptedException {
        List<NodeAddress> nodes = cluster.addresses();
        List<NodeAddress> busy = active.stream().flatMap(a -> a.nodes().stream()).toList();
        List<NodeAddress> free = nodes.stream().filter(n -> !busy.contains(n)).toList();
        if (free.isEmpty()) {
            return;
        }
        NodeAddress node = free.get(random.nextInt(free.size()));
        long start = System.nanoTime();
        long until = start + 1_000_000_000L + (long) (random.nextDouble() * 3_000_000_000L);
        NodeProcess process = cluster.node(node);
        switch (random.nextInt(5)) {
            case 4 -> {
                if (active.isEmpty()) {
                    changeView(nodes.get(0));
                }
            }
            case 0 -> {
                network.cut(node);
                active.add(new Active("cut " + node, List.of(node), start, until, () -> network.heal(node)));
            }
            case 1 -> {
                if (!active.isEmpty()) {
                    return; // a split is only made on an otherwise healthy cluster
                }
                List<NodeAddress> side = new ArrayList<>(nodes);
                java.util.Collections.shuffle(side, random);
                List<NodeAddress> a = side.subList(0, 1 + random.nextInt(nodes.size() - 1));
                List<NodeAddress> b = side.subList(a.size(), side.size());
                network.partition(a, b);
                active.add(new Active("split " + a + " | " + b, nodes, start, until, network::healPartitions));
            }
            case 2 -> {
                process.pause();
                active.add(new Active("pause " + node, List.of(node), start, until, process::resume));
            }
            default -> {
                process.kill();
                active.add(new Active("kill " + node, List.of(node), start, until, process::start));
            }
        }
    }

    /**
     * Adds the spare node (starting it the first time), or removes it again, through the
     * first node: a view change with keys moving while clients work. It is recorded as a fault
     * for as long as it takes; a change refused (another running, no majority) is not an anomaly.
     */
    private void changeView(NodeAddress via) throws IOException {
        if (spare == null) {
            spare = cluster.startSpareNode().address();
        }
        long start = System.nanoTime();
        String type = spareAdded ? "remove" : "add";
        KvsClient.Reply reply = cluster.updateView(via, type, spare);
        // A change that failed for its client may still be finished by another node, and one
        // refused may have been made already: the spare itself says whether it is in the view.
        spareAdded = reply.isSuccess() ? !spareAdded
                : cluster.client().send("GET", spare, "/kv-store/get_partition_id", Map.of()).status() == 200;
        history.record(new ChaosIT.Fault("view change: " + type + " " + spare
                + (reply.isSuccess() ? "" : " (" + reply.status() + " " + reply.string("error") + ")"),
                start, System.nanoTime()));
    }

    private void end(Active fault) throws IOException, InterruptedException {
        fault.heal().heal();
        history.record(new ChaosIT.Fault(fault.what(), fault.start(), System.nanoTime()));
    }
}
