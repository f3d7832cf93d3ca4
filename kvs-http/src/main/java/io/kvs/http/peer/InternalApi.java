package io.kvs.http.peer;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.NodeAddress;
import io.kvs.raft.auth.ClusterSecret;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;

import java.util.Optional;

/**
 * Where and how nodes reach each other's internal HTTP API ({@code /internal/...}): on a listener
 * of its own, the node's HTTP port plus a fixed offset (the same on every node), so that
 * publishing the HTTP port publishes only the public API; and, when the cluster has a secret,
 * with a token of it on every call ({@value #TOKEN_HEADER}), without which a node refuses it.
 */
public final class InternalApi {
    public static final int DEFAULT_PORT_OFFSET = 20_000;
    public static final String TOKEN_HEADER = "X-Kvs-Auth";

    private final int portOffset;
    private final Optional<ClusterSecret> secret;

    public InternalApi(int portOffset, Optional<ClusterSecret> secret) {
        this.portOffset = portOffset;
        this.secret = secret;
    }

    /** The port of {@code node}'s internal API; a node whose port it would push past 65535 cannot be one. */
    public int port(NodeAddress node) {
        int port = node.port() + portOffset;
        if (port > 65_535) {
            throw new KvsException(ErrorCode.BAD_REQUEST, "the internal API port of " + node + " would be " + port
                    + "; set INTERNAL_PORT_OFFSET");
        }
        return port;
    }

    public HttpUrl url(NodeAddress node, String path) {
        return new HttpUrl.Builder().scheme("http").host(node.host()).port(port(node)).encodedPath(path).build();
    }

    /** Signs every call of the client it is added to with a token for its method and path. */
    public Interceptor signer() {
        return chain -> {
            if (secret.isEmpty()) {
                return chain.proceed(chain.request());
            }
            okhttp3.Request request = chain.request();
            String token = secret.get().token(scope(request.method(), request.url().encodedPath()));
            return chain.proceed(request.newBuilder().header(TOKEN_HEADER, token).build());
        };
    }

    /** Whether a call of {@code method} to {@code path} with {@code token} may be served. */
    public boolean admits(String method, String path, String token) {
        return secret.map(s -> s.accepts(token, scope(method, path))).orElse(true);
    }

    public boolean isAuthenticated() {
        return secret.isPresent();
    }

    private static String scope(String method, String path) {
        return "http " + method + " " + path;
    }
}
