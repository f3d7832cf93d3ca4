package io.kvs.core.causal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One shared copy of each node name read back from stored metadata. Every stored value names
 * the node that wrote it, and its causal payload names the nodes whose hinted writes its writer
 * had seen; decoded from the log or a snapshot, each would be a string of its own (about 60
 * bytes per name per key), although a cluster has only a handful of nodes.
 *
 * <p>Bounded: names come from client payloads too, so past {@value #MAX_NAMES} distinct names a
 * name is returned as it is, not kept.
 */
public final class NodeNames {
    static final int MAX_NAMES = 4_096;
    private static final ConcurrentHashMap<String, String> NAMES = new ConcurrentHashMap<>();

    private NodeNames() {
    }

    /** The shared copy of {@code name}, equal to it. */
    public static String canonical(String name) {
        String shared = NAMES.get(name);
        if (shared != null) {
            return shared;
        }
        if (NAMES.size() >= MAX_NAMES) {
            return name;
        }
        shared = NAMES.putIfAbsent(name, name);
        return shared == null ? name : shared;
    }
}
