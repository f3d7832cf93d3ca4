package io.kvs.raft.meta;

/** Entries of the metadata group's log, encoded as JSON by {@link MetaJson}. */
public sealed interface MetaCommand {

    /**
     * Starts the cluster from its initial VIEW. Every node started with VIEW proposes it; the
     * first one applied wins and the others are no-ops, so nodes may start in any order.
     */
    record Init(ClusterState state) implements MetaCommand {
    }
}
