package io.kvs.http.api;

import io.javalin.http.Context;
import io.kvs.raft.client.PartitionClient;
import io.kvs.raft.engine.GroupStatus;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.migration.MoveProgress;
import io.kvs.raft.migration.ViewChangeCoordinator;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The node's metrics, in Prometheus' text format at {@code GET /metrics}: requests by route,
 * method and status with latency histograms; for every Raft group this node hosts, its role,
 * term, commit and applied index, keys and pending hints; the view and the change under way;
 * the JVM's memory, collections, threads and CPU. Group gauges are read when scraped, from the
 * node's replicas, so they cost nothing between scrapes.
 */
final class NodeMetrics {
    private static final String STARTED = NodeMetrics.class.getName() + ".started";

    /** What a request's latency is counted by: keys are not labels, the route they matched is. */
    private record RequestKind(String route, String method, int status) {
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /**
     * The request timers, found without building a meter id per request. Bounded: routes are the
     * registered handlers' paths, and methods and statuses are few.
     */
    private final Map<RequestKind, Timer> requestTimers = new ConcurrentHashMap<>();
    private final StoreEngine engine;
    private final MultiGauge groupRole;
    private final MultiGauge groupTerm;
    private final MultiGauge groupCommit;
    private final MultiGauge groupApplied;
    private final MultiGauge groupLogEntries;
    private final MultiGauge groupLogBytes;
    private final GroupCounters groupLeaderChanges;
    private final GroupCounters groupSnapshotsInstalled;
    private final MultiGauge groupKeys;
    private final MultiGauge groupTombstones;
    private final MultiGauge groupStoreBytes;
    private final MultiGauge groupHints;

    NodeMetrics(StoreEngine engine, ViewChangeCoordinator coordinator) {
        this.engine = engine;
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        groupRole = MultiGauge.builder("kvs_raft_group_leader")
                .description("1 if this node leads the group, 0 if it follows one, -1 if it knows no leader")
                .register(registry);
        groupTerm = MultiGauge.builder("kvs_raft_group_term").description("the group's term on this node (rises "
                + "with every election)").register(registry);
        groupCommit = MultiGauge.builder("kvs_raft_group_commit_index").description("the highest index this "
                + "replica knows committed").register(registry);
        groupApplied = MultiGauge.builder("kvs_raft_group_applied_index").description("the highest index this "
                + "replica applied").register(registry);
        groupLogEntries = MultiGauge.builder("kvs_raft_group_log_entries").description("entries this replica's log "
                + "holds (those its snapshot covers are purged)").register(registry);
        groupLogBytes = MultiGauge.builder("kvs_raft_group_log_bytes").description("the size of this replica's log "
                + "segment files").register(registry);
        groupLeaderChanges = new GroupCounters(registry, "kvs_raft_group_leader_changes",
                "leader changes this replica saw (elections, a leader lost)");
        groupSnapshotsInstalled = new GroupCounters(registry, "kvs_raft_group_snapshots_installed",
                "snapshots a leader installed on this replica");
        groupKeys = MultiGauge.builder("kvs_partition_keys").description("keys this replica holds").register(registry);
        groupTombstones = MultiGauge.builder("kvs_partition_tombstones").description("deleted keys whose "
                + "tombstones this replica keeps until they are purged").register(registry);
        groupStoreBytes = MultiGauge.builder("kvs_partition_store_bytes").description("bytes this replica's store "
                + "takes: its table files and write buffers").register(registry);
        groupHints = MultiGauge.builder("kvs_hints_pending").description("writes this node accepted for the group "
                + "without a majority, not yet in its log").register(registry);
        FunctionCounter.builder("kvs_hints_replayed", engine, StoreEngine::hintsReplayed)
                .description("hinted writes this node replayed into their groups' logs").register(registry);
        relayCounter(engine.partitions(), "taken", PartitionClient::relaysTaken);
        relayCounter(engine.partitions(), "not_taken", PartitionClient::relaysNotTaken);
        Gauge.builder("kvs_view_epoch", engine, e -> e.state().map(s -> s.view().epoch()).orElse(-1L))
                .description("the epoch of the view this node routes by, -1 while it knows none").register(registry);
        Gauge.builder("kvs_view_change_in_progress", engine, e -> e.isViewChanging() ? 1 : 0)
                .description("1 while a view change is under way").register(registry);
        MoveProgress moves = coordinator.progress();
        Gauge.builder("kvs_view_change_slots_to_move", moves,
                        m -> m.current().map(MoveProgress.Snapshot::slotsToMove).orElse(0))
                .description("slots the change this node coordinates moves, 0 when it coordinates none")
                .register(registry);
        FunctionCounter.builder("kvs_view_change_slots_moved", moves, MoveProgress::slotsMovedTotal)
                .description("slots moved by the changes this node coordinated").register(registry);
        FunctionCounter.builder("kvs_view_change_keys_moved", moves, MoveProgress::keysMovedTotal)
                .description("keys moved by the changes this node coordinated").register(registry);
    }

    private void relayCounter(PartitionClient partitions, String outcome, ToDoubleFunction<PartitionClient> count) {
        FunctionCounter.builder("kvs_write_relays", partitions, count).tag("outcome", outcome)
                .description("batches of writes this node relayed to their group's leader, by whether the leader took "
                        + "them or they went through a Raft client instead")
                .register(registry);
    }

    /** Before a request: when it started. */
    void start(Context ctx) {
        ctx.attribute(STARTED, System.nanoTime());
    }

    /** After a request: its latency, by the route it matched (not its path: keys are not labels). */
    void record(Context ctx) {
        Long started = ctx.attribute(STARTED);
        if (started == null) {
            return;
        }
        String route = ctx.endpointHandlerPath();
        requestTimers.computeIfAbsent(new RequestKind(route.isEmpty() ? "none" : route, ctx.method().name(),
                        ctx.statusCode()), this::requestTimer)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    private Timer requestTimer(RequestKind kind) {
        return Timer.builder("kvs_http_requests")
                .description("requests answered, by route, method and status")
                .tags("route", kind.route(), "method", kind.method(), "status", Integer.toString(kind.status()))
                .publishPercentileHistogram()
                .register(registry);
    }

    /** {@code GET /metrics}. */
    void scrape(Context ctx) {
        List<GroupStatus> groups = engine.groupStatuses();
        groupRole.register(rows(groups, g -> g.leader() ? 1 : g.leaderKnown() ? 0 : -1), true);
        groupTerm.register(rows(groups, GroupStatus::term), true);
        groupCommit.register(rows(groups, GroupStatus::commitIndex), true);
        groupApplied.register(rows(groups, GroupStatus::appliedIndex), true);
        groupLogEntries.register(rows(groups, GroupStatus::logEntries), true);
        groupLogBytes.register(rows(groups, GroupStatus::logBytes), true);
        groupLeaderChanges.update(groups, GroupStatus::leaderChanges);
        groupSnapshotsInstalled.update(groups, GroupStatus::snapshotsInstalled);
        groupKeys.register(rows(groups.stream().filter(g -> g.group() >= 0).toList(), GroupStatus::keys), true);
        groupTombstones.register(rows(groups.stream().filter(g -> g.group() >= 0).toList(), GroupStatus::tombstones),
                true);
        groupStoreBytes.register(rows(groups.stream().filter(g -> g.group() >= 0).toList(), GroupStatus::storeBytes),
                true);
        groupHints.register(rows(groups.stream().filter(g -> g.group() >= 0).toList(), GroupStatus::hintsPending), true);
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape());
    }

    private static List<MultiGauge.Row<?>> rows(List<GroupStatus> groups, Function<GroupStatus, Number> value) {
        return groups.stream().<MultiGauge.Row<?>>map(g -> MultiGauge.Row.of(tagsOf(g), value.apply(g))).toList();
    }

    static Tags tagsOf(GroupStatus group) {
        return Tags.of("group", group.group() < 0 ? "metadata" : Integer.toString(group.group()),
                "partition", Integer.toString(group.partition()));
    }
}
