package io.kvs.http.api;

import io.kvs.raft.engine.GroupStatus;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;

/**
 * One counter per Raft group this node hosts, whose values its replicas keep: each scrape
 * copies them in, registers the counters of groups that appeared and removes those of groups
 * the node left. (Micrometer's MultiGauge does this for gauges only.)
 */
final class GroupCounters {
    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final Map<Tags, AtomicLong> values = new HashMap<>();
    private final Map<Tags, FunctionCounter> counters = new HashMap<>();

    GroupCounters(MeterRegistry registry, String name, String description) {
        this.registry = registry;
        this.name = name;
        this.description = description;
    }

    synchronized void update(List<GroupStatus> groups, ToLongFunction<GroupStatus> value) {
        Map<Tags, Long> now = new HashMap<>();
        groups.forEach(group -> now.put(NodeMetrics.tagsOf(group), value.applyAsLong(group)));
        counters.keySet().removeIf(tags -> {
            if (now.containsKey(tags)) {
                return false;
            }
            registry.remove(counters.get(tags));
            values.remove(tags);
            return true;
        });
        now.forEach((tags, count) -> values.computeIfAbsent(tags, t -> {
            AtomicLong holder = new AtomicLong();
            counters.put(t, FunctionCounter.builder(name, holder, AtomicLong::get).tags(t).description(description)
                    .register(registry));
            return holder;
        }).set(count));
    }
}
