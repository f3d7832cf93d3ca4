package io.kvs.raft.client;

import io.kvs.raft.logging.RepeatedEventLog;
import io.kvs.raft.server.RaftTuning;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One Ratis client per group this node sends requests to, kept while the group's peers stay the
 * same. Every client has a bounded retry policy and per-attempt timeout ({@link RaftTuning}).
 */
public final class GroupClients implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupClients.class);
    /** While a group has no majority its clients are replaced about once a second: one line per 10 s says so. */
    private static final RepeatedEventLog REPLACED = new RepeatedEventLog(LOG, Duration.ofSeconds(10));
    private static final Duration RETIRE_DELAY = Duration.ofSeconds(5);
    private static final long STUCK_SECONDS = 2;

    private final RaftProperties properties = RaftTuning.client();
    private final Map<RaftGroupId, Cached> clients = new ConcurrentHashMap<>();
    /** Per group, which peer a new client asks first; moved on when a peer turns out not to host the group. */
    private final Map<RaftGroupId, AtomicInteger> firstPeer = new ConcurrentHashMap<>();

    private record Cached(RaftGroup group, RaftClient client) {
        boolean serves(RaftGroup other) {
            return new HashSet<>(group.getPeers()).equals(new HashSet<>(other.getPeers()));
        }
    }

    private RaftClient client(RaftGroup group) {
        return clients.compute(group.getGroupId(), (id, cached) -> {
            if (cached != null && cached.serves(group)) {
                return cached;
            }
            if (cached != null) {
                retire(cached.client());
            }
            List<RaftPeer> peers = group.getPeers().stream().toList();
            int first = Math.floorMod(firstPeer.computeIfAbsent(id, g -> new AtomicInteger()).get(), peers.size());
            return new Cached(group, RaftClient.newBuilder()
                    .setRaftGroup(group)
                    .setLeaderId(peers.get(first).getId())
                    .setProperties(properties)
                    .setRetryPolicy(RaftTuning.clientRetry())
                    .build());
        }).client();
    }

    /**
     * The peer the group's client takes for its leader: the one that last answered it as such,
     * or, before it has sent anything, the peer it will ask first.
     */
    public RaftPeerId leaderOf(RaftGroup group) {
        return client(group).getLeaderId();
    }

    /**
     * Closes the clients of every group but {@code live}: groups retired by view changes hold a
     * client (and its connections) no longer, so the cache is as large as the groups in use.
     */
    public void retain(Set<RaftGroupId> live) {
        for (RaftGroupId id : List.copyOf(clients.keySet())) {
            if (!live.contains(id)) {
                Cached cached = clients.remove(id);
                if (cached != null) {
                    retire(cached.client());
                }
                firstPeer.remove(id);
            }
        }
    }

    /** Closes a replaced client a little later: requests may still be using it. */
    private static void retire(RaftClient client) {
        ClientCloser.closeAfter(client, RETIRE_DELAY);
    }

    /**
     * Sends a request with the group's client. A Ratis client that ran out of retries or lost a
     * connection stays unusable (it fails every later request with AlreadyClosedException), and
     * one that asked a peer no longer in the group gives up rather than ask another: such a
     * client is replaced before the next request (for a group mismatch, by one that asks the
     * next peer first). A request not answered within {@value #STUCK_SECONDS} s fails, and its
     * client is replaced too: after a network partition heals, a client's connections may wait
     * out gRPC's reconnect backoff for minutes, a new client's do not.
     */
    public <T> CompletableFuture<T> call(RaftGroup group, Function<RaftClient, CompletableFuture<T>> request) {
        RaftClient client = client(group);
        return request.apply(client).orTimeout(STUCK_SECONDS, TimeUnit.SECONDS).whenComplete((reply, failure) -> {
            Throwable cause = Failures.causeOf(failure);
            if (cause instanceof GroupMismatchException) {
                firstPeer.computeIfAbsent(group.getGroupId(), g -> new AtomicInteger()).incrementAndGet();
            }
            if (cause instanceof AlreadyClosedException || cause instanceof RaftRetryFailureException
                    || cause instanceof GroupMismatchException || cause instanceof TimeoutException) {
                Cached cached = clients.get(group.getGroupId());
                if (cached != null && cached.client() == client && clients.remove(group.getGroupId(), cached)) {
                    // Once per client: its writes are ordered, so until now this node's writes to the group waited on it.
                    REPLACED.record("{}: Raft client replaced after {}", group.getGroupId(), cause instanceof TimeoutException
                            ? "a request waited " + STUCK_SECONDS + " s" : cause.getClass().getSimpleName());
                    retire(client);
                }
            }
        });
    }

    @Override
    public void close() {
        clients.values().forEach(c -> ClientCloser.close(c.client()));
        clients.clear();
    }
}
