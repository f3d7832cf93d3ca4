package io.kvs.raft.meta;

import io.kvs.core.view.View;

import java.util.Objects;

/**
 * What the metadata group replicates: the cluster's identity, its current view, and the view
 * change in progress, if any.
 *
 * @param clusterId the cluster's identity, from which every Raft group id is derived
 * @param tag       a random name this incarnation of the cluster gave itself when it first
 *                  started; causal payloads carry it, so payloads from another cluster (or an
 *                  earlier one with the same VIEW) are recognised and ignored
 * @param view      the current view: what every node routes by
 * @param change    the view change in progress, or null
 */
public record ClusterState(String clusterId, String tag, View view, ViewChangeProgress change) {

    public ClusterState {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(view, "view");
    }

    public ClusterState withView(View next) {
        return new ClusterState(clusterId, tag, next, change);
    }

    public ClusterState withChange(ViewChangeProgress next) {
        return new ClusterState(clusterId, tag, view, next);
    }
}
