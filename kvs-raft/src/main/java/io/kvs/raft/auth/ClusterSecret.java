package io.kvs.raft.auth;

import io.kvs.core.crypto.Hmac;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The secret the nodes of a cluster share ({@code CLUSTER_SECRET}), and the tokens it makes: a
 * node proves it knows the secret on every call to another node, Raft or internal API, without
 * sending it. A token is {@code <unix seconds>.<mac>}, the mac an HMAC-SHA-256 of the time and
 * what the call is for (its scope: an HTTP method and path, a gRPC method); it is good for
 * {@value #MAX_SKEW_SECONDS} seconds either side of the receiver's clock.
 *
 * <p>Tokens authenticate the caller, not the bytes of its call, and travel in the clear: the
 * secret keeps outsiders from driving a cluster; it is no substitute for an encrypted network.
 */
public final class ClusterSecret {
    static final long MAX_SKEW_SECONDS = 300;
    private static final int MAC_BYTES = 16;
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    private final Hmac hmac;
    private final LongSupplier clockSeconds;

    ClusterSecret(String secret, LongSupplier clockSeconds) {
        try {
            this.hmac = new Hmac(MessageDigest.getInstance("SHA-256")
                    .digest(("kvs-cluster-secret|" + secret).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        this.clockSeconds = clockSeconds;
    }

    /** The secret of {@code text}; empty when it is not set (blank), and the cluster runs unauthenticated. */
    public static Optional<ClusterSecret> of(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new ClusterSecret(text, () -> System.currentTimeMillis() / 1000));
    }

    /** A token for a call to {@code scope}, made now. */
    public String token(String scope) {
        long now = clockSeconds.getAsLong();
        return now + "." + BASE64.encodeToString(mac(now, scope));
    }

    /** Whether {@code token} was made with this secret for {@code scope}, within the allowed skew. */
    public boolean accepts(String token, String scope) {
        if (token == null) {
            return false;
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot > 20) {
            return false;
        }
        try {
            long at = Long.parseLong(token.substring(0, dot));
            byte[] claimed = Base64.getUrlDecoder().decode(token.substring(dot + 1));
            return Math.abs(clockSeconds.getAsLong() - at) <= MAX_SKEW_SECONDS
                    && MessageDigest.isEqual(claimed, mac(at, scope));
        } catch (IllegalArgumentException malformed) {
            return false;
        }
    }

    private byte[] mac(long at, String scope) {
        return hmac.sign("kvs-auth-v1|" + at + "|" + scope, MAC_BYTES);
    }
}
