package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.peer.InternalApi;
import io.kvs.raft.auth.ClusterSecret;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A cluster of kvs nodes as separate JVMs on loopback addresses {@code 127.0.<block>.1..n:8080}.
 * Each test class uses its own block, so clusters never share ports; data goes to
 * {@code target/cluster-tests/<name>}, logs to {@code target/cluster-tests/<name>-logs} (kept
 * when a test unmounts a file system it put under the data), whose ends {@link FailedTestLogs}
 * prints when a test fails.
 */
public final class ProcessCluster implements AutoCloseable {
    public static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final Path dir;
    private final Path logDir;
    private final ClusterNetwork network;
    /** Every node of a test cluster shares it, as kvs-local's and the compose file's nodes do. */
    private final String secret;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final KvsClient client = new KvsClient(Duration.ofSeconds(60));
    /** For polls: one request that hangs must not take a poll's whole deadline. */
    private final KvsClient probe = new KvsClient(Duration.ofSeconds(5));
    private int probes;

    /** Each node's maximum heap. */
    private final String heap;
    /** What every node's environment has besides its own settings; spare nodes get it too. */
    private Map<String, String> commonEnv = Map.of();

    private ProcessCluster(Path dir, Path logDir, ClusterNetwork network, String heap) {
        this.dir = dir;
        this.logDir = logDir;
        this.network = network;
        this.heap = heap;
        this.secret = "secret-of-" + dir.getFileName() + "-" + System.nanoTime();
    }

    /** Starts n nodes with K replicas on loopback addresses 127.0.<block>.1..n. */
    public static ProcessCluster start(String name, int block, int n, int k) throws IOException {
        return start(name, new LoopbackNetwork(block), n, k);
    }

    /** Starts n nodes with K replicas from one VIEW on {@code network} and waits until every partition serves. */
    public static ProcessCluster start(String name, ClusterNetwork network, int n, int k) throws IOException {
        return start(name, network, n, k, Map.of());
    }

    /** As {@link #start(String, ClusterNetwork, int, int)}, each node with {@code env} added to its environment. */
    public static ProcessCluster start(String name, ClusterNetwork network, int n, int k, Map<String, String> env)
            throws IOException {
        return start(name, network, n, k, env, NodeProcess.DEFAULT_HEAP);
    }

    /** As {@link #start(String, ClusterNetwork, int, int, Map)}, each node (spares too) with at most {@code heap}. */
    public static ProcessCluster start(String name, ClusterNetwork network, int n, int k, Map<String, String> env,
                                       String heap) throws IOException {
        ProcessCluster cluster = new ProcessCluster(freshDir(name), freshDir(name + "-logs"), network, heap);
        FailedTestLogs.started(cluster.logDir);
        cluster.commonEnv = Map.copyOf(env);
        List<NodeAddress> view = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            view.add(network.address(i));
        }
        String viewText = view.stream().map(NodeAddress::toString).collect(Collectors.joining(","));
        try {
            Map<String, String> nodeEnv = new java.util.HashMap<>(env);
            nodeEnv.put("K", Integer.toString(k));
            nodeEnv.put("VIEW", viewText);
            for (NodeAddress address : view) {
                cluster.add(address, nodeEnv).start();
            }
            cluster.awaitServing();
        } catch (IOException | RuntimeException | Error e) {
            cluster.printLogTails();
            cluster.closeQuietly(); // the caller never gets the cluster to close
            throw e;
        }
        return cluster;
    }

    /** The secret every node of this cluster shares. */
    public String secret() {
        return secret;
    }

    /** How the test reaches the nodes' internal API, as one of them. */
    public InternalApi internalApi() {
        return new InternalApi(InternalApi.DEFAULT_PORT_OFFSET, ClusterSecret.of(secret));
    }

    /** The directory of this cluster's data. */
    public Path dir() {
        return dir;
    }

    private static Path freshDir(String name) throws IOException {
        Path dir = Path.of("target", "cluster-tests", name).toAbsolutePath();
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                // The directory itself stays: a test may have mounted a file system there.
                for (Path p : files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        return dir;
    }

    /** Starts one more node, without VIEW or K (with the environment the cluster started with): it waits until update_view adds it. */
    public NodeProcess startSpareNode() throws IOException {
        NodeAddress address = network.address(nodes.size() + 1);
        NodeProcess node = add(address, Map.of());
        node.start();
        await(address + " to answer").atMost(START_DEADLINE)
                .until(() -> probe.send("GET", address, "/kv-store/get_partition_id", Map.of()).status() > 0);
        return node;
    }

    /** Sends update_view to {@code via}; the reply of the change. */
    public KvsClient.Reply updateView(NodeAddress via, String type, NodeAddress node) {
        return client.send("PUT", via, "/kv-store/update_view?type=" + type, Map.of("ip_port", node.toString()));
    }

    private NodeProcess add(NodeAddress address, Map<String, String> env) throws IOException {
        network.attach(address);
        Map<String, String> withSecret = new java.util.HashMap<>(Map.of("CLUSTER_SECRET", secret));
        withSecret.putAll(commonEnv);
        withSecret.putAll(env);
        String name = address.host() + "_" + address.port();
        NodeProcess node = new NodeProcess(address, dir.resolve(name), logDir.resolve(name + ".log"), withSecret,
                network.launcher(address), heap);
        nodes.add(node);
        return node;
    }

    public List<NodeProcess> nodes() {
        return nodes;
    }

    public NodeProcess node(NodeAddress address) {
        return nodes.stream().filter(n -> n.address().equals(address)).findFirst().orElseThrow();
    }

    public List<NodeAddress> addresses() {
        return nodes.stream().map(NodeProcess::address).toList();
    }

    public KvsClient client() {
        return client;
    }

    /** Every running node answers, and every partition takes a write. */
    public void awaitServing() {
        List<NodeProcess> alive = nodes.stream().filter(NodeProcess::isAlive).toList();
        for (NodeProcess node : alive) {
            await(node + " to answer").atMost(START_DEADLINE).until(() -> {
                KvsClient.Reply reply = probe.send("GET", node.address(), "/kv-store/get_partition_id", Map.of());
                return reply.status() == 200 ? reply : null;
            }, Objects::nonNull);
        }
        NodeAddress entry = alive.get(0).address();
        int partitions = probe.send("GET", entry, "/kv-store/get_all_partition_ids", Map.of())
                .json().getAsJsonArray("partition_id_list").size();
        Set<Integer> served = new HashSet<>();
        await("every partition to accept writes").atMost(START_DEADLINE).until(() -> {
            KvsClient.Reply reply = probe.put(entry, "probe_" + probes++, "ok", "");
            if (reply.isSuccess()) {
                served.add(reply.integer("partition_id"));
            }
            return served.size() == partitions ? served : null;
        }, Objects::nonNull);
        // Every node's own path to the groups (its Raft clients, its peer connections) is warm
        // before the test starts: a test measures the cluster, not a JVM's first request.
        for (NodeProcess node : alive) {
            await(node + " to route a write").atMost(START_DEADLINE)
                    .until(() -> probe.put(node.address(), "probe_" + probes++, "ok", "").isSuccess());
        }
    }

    /** The end of each node's log: why a cluster did not start, in the test's output. */
    private void printLogTails() {
        NodeLogs.printTails(nodes.stream().map(NodeProcess::log).toList(), 20);
    }

    /** A fresh key owned by {@code partition}, found by writing candidates through {@code via} (no hashing in tests). */
    public String keyIn(int partition, NodeAddress via) {
        for (int i = 0; i < 1_000; i++) {
            String key = "p" + partition + "_" + probes++;
            KvsClient.Reply put = client.put(via, key, "probe", "");
            if (put.isSuccess() && put.integer("partition_id") == partition) {
                return key;
            }
        }
        throw new AssertionError("no key found in partition " + partition);
    }

    /** The members of each partition, as the given node reports them. */
    public Map<Integer, List<NodeAddress>> partitions(NodeAddress via) {
        KvsClient.Reply ids = client.send("GET", via, "/kv-store/get_all_partition_ids", Map.of());
        Map<Integer, List<NodeAddress>> result = new java.util.TreeMap<>();
        ids.json().getAsJsonArray("partition_id_list").forEach(id -> {
            KvsClient.Reply members = client.send("GET", via, "/kv-store/get_partition_members",
                    Map.of("partition_id", id.getAsString()));
            List<NodeAddress> list = new ArrayList<>();
            members.json().getAsJsonArray("partition_members").forEach(m -> list.add(NodeAddress.parse(m.getAsString())));
            result.put(id.getAsInt(), list);
        });
        return result;
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | InterruptedException e) {
            System.err.println("cleaning up a cluster that failed to start: " + e);
        }
    }

    public ClusterNetwork network() {
        return network;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            for (NodeProcess node : nodes) {
                node.kill();
            }
        } finally {
            network.close();
        }
    }
}
