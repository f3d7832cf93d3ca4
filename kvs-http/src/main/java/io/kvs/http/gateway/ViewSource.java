package io.kvs.http.gateway;

import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.meta.ClusterState;

import java.util.concurrent.CompletableFuture;

/** Where a routed request learns the view: this node's copy of the cluster state, and the metadata group's. */
interface ViewSource {
    /** This node's cluster state (an error when it is in no cluster). */
    ClusterState current();

    /** Whether a view change is under way, as far as this node knows. */
    boolean changing();

    /** The state as the metadata group's leader has it, for a node that suspects its copy is stale. */
    CompletableFuture<ClusterState> fresh();

    static ViewSource of(StoreEngine engine) {
        return new ViewSource() {
            @Override
            public ClusterState current() {
                return engine.requireState();
            }

            @Override
            public boolean changing() {
                return engine.isViewChanging();
            }

            @Override
            public CompletableFuture<ClusterState> fresh() {
                return engine.readState();
            }
        };
    }
}
