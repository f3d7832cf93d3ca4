package io.kvs.http.faults;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.ClusterNetwork;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Each node in a network namespace of its own, attached by a veth pair to a bridge, like Docker
 * containers on one user network: the subnet {@code 10.77.<subnet>.0/24}, node i at
 * {@code .i}, the bridge (the test's own address) at {@code .254}.
 *
 * <p>{@link #cut} takes a node's link down (as {@code docker network disconnect}): nobody, the
 * test included, reaches it. {@link #partition} drops packets between two sets of nodes with
 * iptables inside their namespaces while the test still reaches all of them.
 *
 * <p>Needs root and {@code ip netns}; tests are skipped where that is missing
 * ({@link #assumeAvailable}). Everything it creates is named {@code kvs<subnet>...} and removed
 * on close, on JVM exit, and before a new network of the same subnet is made.
 */
public final class NamespaceNetwork implements ClusterNetwork {
    private static final long COMMAND_SECONDS = 10;

    private final int subnet;
    private final Map<NodeAddress, Integer> nodes = new LinkedHashMap<>();
    private final Thread cleanupOnExit = new Thread(this::removeQuietly, "netns-cleanup");

    private NamespaceNetwork(int subnet) {
        this.subnet = subnet;
    }

    /** Skips the calling test unless namespaces can be made here (root, iproute2, iptables). */
    public static void assumeAvailable() {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean tools = run(List.of("ip", "netns", "list"), false) && run(List.of("iptables", "--version"), false);
        Assumptions.assumeTrue(root && tools,
                "network fault tests need root, iproute2 (ip netns) and iptables; skipped here");
    }

    /** A fresh network on {@code 10.77.<subnet>.0/24}, leftovers of an earlier run removed first. */
    public static NamespaceNetwork create(int subnet) throws IOException {
        NamespaceNetwork network = new NamespaceNetwork(subnet);
        network.removeQuietly();
        network.must("ip", "link", "add", network.bridge(), "type", "bridge");
        network.must("ip", "addr", "add", "10.77." + subnet + ".254/24", "dev", network.bridge());
        network.must("ip", "link", "set", network.bridge(), "up");
        // Traffic between ports of a bridge passes the host's FORWARD chain when br_netfilter is
        // loaded, and a Docker engine sets that chain's policy to DROP: let this bridge's through.
        network.must("iptables", "-I", "FORWARD", "-i", network.bridge(), "-o", network.bridge(), "-j", "ACCEPT");
        Runtime.getRuntime().addShutdownHook(network.cleanupOnExit);
        return network;
    }

    @Override
    public NodeAddress address(int index) {
        return new NodeAddress("10.77." + subnet + "." + index, 8080);
    }

    @Override
    public void attach(NodeAddress node) throws IOException {
        int i = index(node);
        String ns = namespace(i);
        must("ip", "netns", "add", ns);
        must("ip", "link", "add", hostSide(i), "type", "veth", "peer", "name", nodeSide(i));
        must("ip", "link", "set", nodeSide(i), "netns", ns);
        must("ip", "link", "set", hostSide(i), "master", bridge());
        must("ip", "link", "set", hostSide(i), "up");
        must("ip", "netns", "exec", ns, "ip", "addr", "add", node.host() + "/24", "dev", nodeSide(i));
        must("ip", "netns", "exec", ns, "ip", "link", "set", nodeSide(i), "up");
        must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        nodes.put(node, i);
    }

    @Override
    public List<String> launcher(NodeAddress node) {
        return List.of("ip", "netns", "exec", namespace(index(node)));
    }

    /** Disconnects the node from the network: no packet in or out. */
    public void cut(NodeAddress node) throws IOException {
        must("ip", "link", "set", hostSide(index(node)), "down");
    }

    /** Reconnects a node cut off by {@link #cut}. */
    public void heal(NodeAddress node) throws IOException {
        must("ip", "link", "set", hostSide(index(node)), "up");
    }

    /** Drops every packet between the two sides; each side still talks within itself, and to the test. */
    public void partition(Collection<NodeAddress> sideA, Collection<NodeAddress> sideB) throws IOException {
        for (NodeAddress a : sideA) {
            for (NodeAddress b : sideB) {
                drop(a, b);
                drop(b, a);
            }
        }
    }

    /** Removes every partition made by {@link #partition}. */
    public void healPartitions() throws IOException {
        for (int i : nodes.values()) {
            must("ip", "netns", "exec", namespace(i), "iptables", "-F");
        }
    }

    private void drop(NodeAddress in, NodeAddress peer) throws IOException {
        String ns = namespace(index(in));
        must("ip", "netns", "exec", ns, "iptables", "-A", "INPUT", "-s", peer.host(), "-j", "DROP");
        must("ip", "netns", "exec", ns, "iptables", "-A", "OUTPUT", "-d", peer.host(), "-j", "DROP");
    }

    @Override
    public void close() {
        removeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
        } catch (IllegalStateException exiting) {
            // the hook is running already
        }
    }

    /** Deletes this subnet's namespaces (their veths go with them), veths and bridge, whatever exists of them. */
    private void removeQuietly() {
        String prefix = "kvs" + subnet;
        for (String line : output(List.of("ip", "netns", "list"))) {
            String name = line.split(" ")[0];
            if (name.startsWith(prefix + "n")) {
                run(List.of("ip", "netns", "del", name), false);
            }
        }
        for (String line : output(List.of("ip", "-o", "link"))) {
            String[] fields = line.split(": ");
            if (fields.length > 1) {
                String name = fields[1].split("@")[0];
                if (name.startsWith(prefix + "h") || name.equals(bridge())) {
                    run(List.of("ip", "link", "del", name), false);
                }
            }
        }
        while (run(List.of("iptables", "-D", "FORWARD", "-i", bridge(), "-o", bridge(), "-j", "ACCEPT"), false)) {
            // removes every copy of the rule
        }
        nodes.clear();
    }

    private static List<String> output(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String text = new String(process.getInputStream().readAllBytes());
            process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS);
            return text.lines().toList();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private int index(NodeAddress node) {
        String[] octets = node.host().split("\\.");
        return Integer.parseInt(octets[3]);
    }

    private String bridge() {
        return "kvs" + subnet + "br";
    }

    private String namespace(int i) {
        return "kvs" + subnet + "n" + i;
    }

    private String hostSide(int i) {
        return "kvs" + subnet + "h" + i;
    }

    private String nodeSide(int i) {
        return "kvs" + subnet + "v" + i;
    }

    private void must(String... command) throws IOException {
        if (!run(List.of(command), true)) {
            throw new IOException("failed: " + String.join(" ", command));
        }
    }

    private static boolean run(List<String> command, boolean reportFailure) {
        try {
            Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            if (process.exitValue() != 0 && reportFailure) {
                System.err.println(String.join(" ", command) + ": " + new String(output).trim());
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
