package io.kvs.raft.server;

import io.kvs.core.view.NodeAddress;
import io.kvs.raft.auth.ClusterSecret;
import io.kvs.raft.auth.RaftAuthentication;
import io.kvs.raft.client.LocalLeader;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's one Ratis server. It hosts every group the node is a member of (the metadata group
 * and its partition's group, and briefly more during a view change), each with its own state
 * machine instance from the registry. Groups found in the data directory are recovered on start.
 */
public final class NodeRaftServer implements LocalLeader, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRaftServer.class);

    private final RaftServer.Builder builder;
    private final Path storageDir;
    /** Built by {@link #start}: building a Ratis server already starts recovering its groups. */
    private volatile RaftServer server;
    private final ClientId localClient = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final GroupFences fences;
    private final GroupChanges changes = new GroupChanges();

    /** A server whose Raft traffic is not authenticated. */
    public NodeRaftServer(NodeAddress self, String bindHost, Path dataDir, RaftPeers peers,
                          StateMachine.Registry registry) throws IOException {
        this(self, bindHost, dataDir, peers, registry, Optional.empty());
    }

    /**
     * @param bindHost where the Raft server listens: the node's own host, or 0.0.0.0
     * @param secret   if present, the server refuses Raft calls without its tokens, and this
     *                 JVM's Raft calls carry them ({@link RaftAuthentication}); with or without
     *                 it, the server refuses Raft traffic of the groups it is fenced from
     */
    public NodeRaftServer(NodeAddress self, String bindHost, Path dataDir, RaftPeers peers,
                          StateMachine.Registry registry, Optional<ClusterSecret> secret) throws IOException {
        this.storageDir = dataDir.resolve("raft");
        this.builder = RaftServer.newBuilder()
                .setServerId(RaftPeers.peerId(self))
                .setProperties(RaftTuning.server(storageDir, bindHost, peers.raftPort(self)))
                .setStateMachineRegistry(registry)
                // Never FORMAT: a restarted node must come back with every group it had.
                .setOption(RaftStorage.StartupOption.RECOVER);
        this.fences = new GroupFences(dataDir);
        secret.ifPresent(RaftAuthentication::authenticateOutgoingCalls);
        ServerInterceptor fencing = new FencingInterceptor(fences);
        Optional<ServerInterceptor> authentication = secret.map(RaftAuthentication::serverCheck);
        Parameters parameters = new Parameters();
        // gRPC runs the interceptor added last first: authentication, then fencing.
        GrpcConfigKeys.Server.setServicesCustomizer(parameters, (services, types) -> {
            services.intercept(fencing);
            authentication.ifPresent(services::intercept);
            return services;
        });
        builder.setParameters(parameters);
    }

    /** The groups this node's replicas are fenced out of during a view change. */
    public GroupFences fences() {
        return fences;
    }

    /**
     * Builds and starts the server, recovering the groups in its storage. Ratis asks the registry
     * for their state machines from its own threads as soon as the server is built, so whatever
     * the registry needs must exist before this is called; every other method needs it called.
     */
    public void start() throws IOException {
        server = builder.build();
        server.start();
        LOG.info("Raft server {} started with groups {}", server.getId(), groupIds());
    }

    public Set<RaftGroupId> groupIds() {
        Set<RaftGroupId> ids = new HashSet<>();
        server.getGroupIds().forEach(ids::add);
        return ids;
    }

    /**
     * Whether {@code id} is among this server's groups, without building a set of them; asked
     * before Ratis, whose answer for a group it does not host is an exception.
     */
    private boolean listed(RaftGroupId id) {
        for (RaftGroupId hosted : server.getGroupIds()) {
            if (hosted.equals(id)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this server runs {@code id} (a division that closed itself, e.g. after an error, does not count). */
    public boolean hosts(RaftGroupId id) {
        return division(id).map(d -> d.getInfo().isAlive()).orElse(false);
    }

    /** Joins {@code group} on this server, unless it already hosts it. */
    public void addGroup(RaftGroup group) throws IOException {
        changes.run(group.getGroupId(), () -> join(group));
    }

    /**
     * Joins {@code group}, which forms now, as one of its founders; with {@code campaign}, this
     * replica then stands for election at once instead of after Ratis' first election timeout
     * (half a second or more), which a view change forming the group would wait for. One founder
     * only should campaign, the one that joins last: its vote requests find the others' replicas
     * there. Should they not be, the election fails and the replica is a follower whose timer
     * runs as it would have, so a campaign too early costs nothing. Returns whether this
     * replica started an election.
     */
    public boolean found(RaftGroup group, boolean campaign) throws IOException {
        return changes.run(group.getGroupId(), () -> join(group) && campaign && campaign(group.getGroupId()));
    }

    /** Joins {@code group} unless this server hosts it; whether it did, with empty storage. Run within a change of it. */
    private boolean join(RaftGroup group) throws IOException {
        RaftGroupId id = group.getGroupId();
        if (hosts(id)) {
            return false;
        }
        if (listed(id)) {
            // A division that stopped: take it out and start it again from its storage.
            LOG.info("group {} stopped on this server; restarting it from its storage", id);
            takeOut(id);
        }
        // Storage left by an earlier run (or by the division just taken out) is recovered, never formatted.
        boolean fresh = !Files.exists(storageDir.resolve(id.getUuid().toString()));
        RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(
                localClient, server.getId(), callIds.incrementAndGet(), group, fresh));
        if (!reply.isSuccess() && !hosts(group.getGroupId())) {
            throw new IOException("could not add group " + group.getGroupId() + ": " + reply.getException());
        }
        LOG.info("joined group {} with peers {}", group.getGroupId(), group.getPeers());
        return fresh;
    }

    /**
     * Starts an election of this server's fresh replica of {@code id} now. Ratis starts one on
     * request only for a follower whose log is no longer than the requester's last entry, named
     * here as (term 0, index 0): a replica that has seen no election and holds no entry.
     * Whether it started one.
     */
    private boolean campaign(RaftGroupId id) {
        RaftPeerId self = server.getId();
        StartLeaderElectionRequestProto request = StartLeaderElectionRequestProto.newBuilder()
                .setServerRequest(RaftRpcRequestProto.newBuilder()
                        .setRequestorId(self.toByteString())
                        .setReplyId(self.toByteString())
                        .setRaftGroupId(RaftGroupIdProto.newBuilder().setId(id.toByteString()))
                        .setCallId(callIds.incrementAndGet()))
                .setLeaderLastEntry(TermIndexProto.newBuilder().setTerm(0).setIndex(0))
                .build();
        try {
            boolean started = server.startLeaderElection(request).getServerReply().getSuccess();
            LOG.info("group {}: {}", id, started ? "starts an election as a founder"
                    : "no election started (the replica is past its first term)");
            return started;
        } catch (IOException e) {
            LOG.info("group {}: no election started ({}); its election timer runs", id, e.toString());
            return false;
        }
    }

    /**
     * Starts this server's replica of {@code id} again from its storage, with a new state
     * machine: for a replica Ratis will not write to any more (its log failed on a full disk).
     */
    public void restartFromStorage(RaftGroupId id) throws IOException {
        changes.run(id, () -> {
            Optional<RaftServer.Division> division = division(id);
            if (division.isPresent()) {
                LOG.info("group {}: restarting this replica from its storage", id);
                takeOut(id);
                join(division.get().getGroup());
            }
            return null;
        });
    }

    /** Stops this server's replica of {@code id}, keeping its storage. */
    private void takeOut(RaftGroupId id) throws IOException {
        server.groupManagement(GroupManagementRequest.newRemove(localClient, server.getId(),
                callIds.incrementAndGet(), id, false, false));
    }

    /**
     * Joins {@code group}, which already runs on its other members, as the member its leader is
     * about to add. The replica starts with a configuration that does not name this server, so
     * Ratis keeps it waiting for the leader (its "initializing" state) with no election timer
     * until the leader has caught it up. Started as a follower instead, a replica whose timer
     * fires before the configuration naming it arrives (a snapshot install from before the
     * change took longer than an election timeout) finds itself outside its configuration, and
     * Ratis shuts it down for good.
     */
    public void joinGroup(RaftGroup group) throws IOException {
        addGroup(RaftGroup.valueOf(group.getGroupId(),
                group.getPeers().stream().filter(p -> !p.getId().equals(server.getId())).toList()));
    }

    /**
     * Leaves {@code id} on this server and deletes its storage, in the background
     * ({@link GroupChanges}); completes once it has. Joining the group again waits for it.
     */
    public CompletableFuture<Void> leave(RaftGroupId id) {
        return changes.inBackground(id, () -> {
            remove(id);
            return null;
        });
    }

    /** Leaves {@code id} and deletes its storage. Run within a change of it. */
    private void remove(RaftGroupId id) throws IOException {
        if (!listed(id)) {
            return;
        }
        RaftClientReply reply = server.groupManagement(GroupManagementRequest.newRemove(
                localClient, server.getId(), callIds.incrementAndGet(), id, true, false));
        if (!reply.isSuccess()) {
            throw new IOException("could not remove group " + id + ": " + reply.getException());
        }
        LOG.info("left group {}", id);
    }

    /**
     * Deletes this server's replica of {@code group} and joins the group again with empty
     * storage, so that its leader sends the whole log (see {@link FirstEntryConflictRepair}).
     */
    public void rejoinEmpty(RaftGroup group) throws IOException {
        changes.run(group.getGroupId(), () -> {
            remove(group.getGroupId());
            return join(group);
        });
    }

    public Optional<RaftServer.Division> division(RaftGroupId id) {
        if (!listed(id)) {
            return Optional.empty();
        }
        try {
            return Optional.of(server.getDivision(id));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Submits a request straight to this server's division of {@code id} if it leads the group,
     * sparing the RPC a client would send to this same server; null if it does not lead it.
     */
    @Override
    public CompletableFuture<RaftClientReply> submitIfLeader(RaftGroupId id, Message message,
                                                             RaftClientRequest.Type type) {
        RaftServer.Division division = division(id).orElse(null);
        if (division == null || !division.getInfo().isLeader()) {
            return null;
        }
        RaftClientRequest request = RaftClientRequest.newBuilder()
                .setClientId(localClient)
                .setServerId(server.getId())
                .setGroupId(id)
                .setCallId(callIds.incrementAndGet())
                .setMessage(message)
                .setType(type)
                .build();
        try {
            return server.submitClientRequestAsync(request);
        } catch (IOException e) {
            return null; // the division went away meanwhile: a client finds the leader
        }
    }

    @Override
    public RaftPeerId leaderOf(RaftGroupId id) {
        return division(id).map(division -> division.getInfo().getLeaderId()).orElse(null);
    }

    /**
     * Asks this server's replica of {@code id} to take a snapshot now, after which Ratis purges
     * its log up to it. Completes exceptionally if the replica cannot (it is installing one).
     */
    public CompletableFuture<RaftClientReply> requestSnapshot(RaftGroupId id, long timeoutMillis) {
        return server.snapshotManagementAsync(SnapshotManagementRequest.newCreate(localClient, server.getId(), id,
                callIds.incrementAndGet(), timeoutMillis, 1));
    }

    /** The state machine this server runs for {@code id}, if it hosts the group. */
    public <T extends StateMachine> Optional<T> stateMachine(RaftGroupId id, Class<T> type) {
        return division(id).map(RaftServer.Division::getStateMachine).filter(type::isInstance).map(type::cast);
    }

    @Override
    public void close() throws IOException {
        changes.close();
        if (server != null) {
            server.close();
        }
    }
}
