package io.kvs.raft.meta;

import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.View;

import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * Entries of the metadata group's log, encoded as JSON by {@link MetaJson}. Each is a
 * compare-and-set on the state: it applies only if the state is still what its proposer saw, so
 * retries and competing coordinators are harmless. Every field is required, unless it says
 * otherwise: a command missing one is malformed, and refused when it is read.
 */
public sealed interface MetaCommand {

    /**
     * Starts the cluster from its initial VIEW. Every node started with VIEW proposes it; the
     * first one applied wins and the others are no-ops, so nodes may start in any order.
     */
    record Init(ClusterState state) implements MetaCommand {
        public Init {
            Objects.requireNonNull(state, "state");
        }
    }

    /** Records a planned change, if no other is in progress and the view is still at {@code fromEpoch}. */
    record BeginChange(long fromEpoch, ViewChangeProgress change) implements MetaCommand {
        public BeginChange {
            Objects.requireNonNull(change, "change");
        }
    }

    /**
     * Records a step of the change towards view {@code targetEpoch} (with the target and rebuilds
     * as they now are); phases only move forward.
     */
    record AdvanceChange(long targetEpoch, ViewChangeProgress.Phase phase, View target,
                         Map<Integer, ViewChangeProgress.Rebuild> rebuilds, NodeAddress coordinator,
                         long at) implements MetaCommand {
        public AdvanceChange {
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(target, "target");
            rebuilds = Map.copyOf(rebuilds);
            Objects.requireNonNull(coordinator, "coordinator");
        }
    }

    /** Switches the view to the change's target: from now on every node routes by it. */
    record CommitChange(long targetEpoch, NodeAddress coordinator, long at) implements MetaCommand {
        public CommitChange {
            Objects.requireNonNull(coordinator, "coordinator");
        }
    }

    /** Forgets a change that has been committed and cleaned up. */
    record FinishChange(long targetEpoch) implements MetaCommand {
    }

    /**
     * Abandons a change that has not been committed, if {@code coordinator} still drives it; null
     * (entries written before aborts named their coordinator) abandons it whoever drives it.
     */
    record AbortChange(long targetEpoch, NodeAddress coordinator) implements MetaCommand {
    }

    /** Gives a cluster started before payloads were signed its payload key; no-op if it has one. */
    record SetPayloadKey(String key) implements MetaCommand {
        public SetPayloadKey {
            if (key == null || Base64.getDecoder().decode(key).length < 16) {
                throw new IllegalArgumentException("a payload key is at least 16 bytes, base64");
            }
        }
    }

    /** Makes {@code coordinator} the one driving the change (its coordinator stopped). */
    record TakeOver(long targetEpoch, NodeAddress coordinator, long at) implements MetaCommand {
        public TakeOver {
            Objects.requireNonNull(coordinator, "coordinator");
        }
    }
}
