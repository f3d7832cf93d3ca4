package io.kvs.http.gateway;

import io.kvs.core.causal.PayloadSeal;
import io.kvs.raft.meta.ClusterState;

import java.util.Objects;

/**
 * The {@link PayloadSeal} of the cluster state a request is served by, made once per cluster
 * and key rather than per request (each holds a MAC per thread).
 */
final class PayloadSeals {
    private record Made(String tag, String key, PayloadSeal seal) {
    }

    private volatile Made made;

    PayloadSeal of(ClusterState state) {
        Made current = made;
        if (current == null || !current.tag().equals(state.tag()) || !Objects.equals(current.key(), state.payloadKey())) {
            current = new Made(state.tag(), state.payloadKey(), state.payloadSeal());
            made = current;
        }
        return current.seal();
    }
}
