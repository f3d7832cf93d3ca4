package io.kvs.raft.meta;

import io.kvs.core.causal.PayloadSeal;
import io.kvs.core.view.View;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * What the metadata group replicates: the cluster's identity, its current view, and the view
 * change in progress, if any.
 *
 * @param clusterId  the cluster's identity, from which every Raft group id is derived
 * @param tag        a random name this incarnation of the cluster gave itself when it first
 *                   started; causal payloads carry it, so payloads from another cluster (or an
 *                   earlier one with the same VIEW) are recognised and ignored
 * @param view       the current view: what every node routes by
 * @param change     the view change in progress, or null
 * @param payloadKey the key, base64, that signs causal payloads ({@link PayloadSeal}): random,
 *                   made when the cluster first started, never sent to clients; null in a state
 *                   written before payloads were signed, until the metadata leader sets one
 */
public record ClusterState(String clusterId, String tag, View view, ViewChangeProgress change, String payloadKey) {

    public ClusterState {
        Objects.requireNonNull(clusterId, "clusterId");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(view, "view");
    }

    /** A new cluster's first state, with a fresh random payload key. */
    public static ClusterState initial(String clusterId, String tag, View view) {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new ClusterState(clusterId, tag, view, null, Base64.getEncoder().encodeToString(key));
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    public ClusterState withView(View next) {
        return new ClusterState(clusterId, tag, next, change, payloadKey);
    }

    public ClusterState withChange(ViewChangeProgress next) {
        return new ClusterState(clusterId, tag, view, next, payloadKey);
    }

    public ClusterState withPayloadKey(String key) {
        return new ClusterState(clusterId, tag, view, change, key);
    }

    /**
     * What signs and reads this cluster's causal payloads. A state without a key yet (a cluster
     * started before payloads were signed, for the moment until its metadata leader sets one)
     * signs with a key derived from the cluster's names, which keeps payloads readable but is no
     * secret.
     */
    public PayloadSeal payloadSeal() {
        return new PayloadSeal(tag, payloadKey != null ? Base64.getDecoder().decode(payloadKey) : derivedKey());
    }

    private byte[] derivedKey() {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(("kvs-payload-key|" + clusterId + "|" + tag).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
