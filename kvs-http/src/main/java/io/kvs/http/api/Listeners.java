package io.kvs.http.api;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.http.peer.InternalApi;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the node's two listeners apart: the public API on the HTTP port, the internal API on
 * its own port, each answering only its own paths (404 otherwise, as for a path that does not
 * exist), and an internal request admitted only with a valid token of the cluster secret (403).
 */
final class Listeners {
    private static final Logger LOG = LoggerFactory.getLogger(Listeners.class);
    private static final String INTERNAL_PATHS = "/internal/";

    private final int internalPort;
    private final InternalApi internalApi;

    Listeners(int internalPort, InternalApi internalApi) {
        this.internalPort = internalPort;
        this.internalApi = internalApi;
        if (!internalApi.isAuthenticated()) {
            LOG.warn("no CLUSTER_SECRET: any host that reaches port {} and the Raft port can drive this node; "
                    + "set the same CLUSTER_SECRET on every node", internalPort);
        }
    }

    void admit(Context ctx) {
        boolean onInternalPort = ctx.req().getLocalPort() == internalPort;
        boolean internalPath = ctx.path().startsWith(INTERNAL_PATHS);
        if (onInternalPort != internalPath) {
            throw new KvsException(ErrorCode.NOT_FOUND, "no such endpoint: " + ctx.method() + " " + ctx.path());
        }
        if (internalPath && !internalApi.admits(ctx.method().name(), ctx.path(), ctx.header(InternalApi.TOKEN_HEADER))) {
            throw new KvsException(ErrorCode.FORBIDDEN, "this node's internal API requires the cluster secret");
        }
    }
}
