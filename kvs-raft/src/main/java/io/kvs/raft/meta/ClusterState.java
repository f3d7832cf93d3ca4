package io.kvs.raft.meta;

import io.kvs.core.view.View;

/**
 * What the metadata group replicates: the cluster's identity and its current view.
 *
 * @param clusterId the cluster's identity, from which every Raft group id is derived
 * @param tag       a random name this incarnation of the cluster gave itself when it first
 *                  started; causal payloads carry it, so payloads from another cluster (or an
 *                  earlier one with the same VIEW) are recognised and ignored
 * @param view      the current view
 */
public record ClusterState(String clusterId, String tag, View view) {
}
