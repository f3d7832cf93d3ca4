package io.kvs.http.api;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.javalin.http.Context;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the requests a node serves at once (an async request counts until it is answered):
 * one beyond the bound is answered 503 at once, instead of queueing work the node cannot do
 * within a request's second anyway.
 */
final class InFlightLimit {
    private static final String COUNTED = InFlightLimit.class.getName() + ".counted";

    private final int max;
    private final AtomicInteger serving = new AtomicInteger();

    InFlightLimit(int max) {
        this.max = max;
    }

    /** Before a request: counts it, or refuses it. */
    void enter(Context ctx) {
        if (serving.incrementAndGet() > max) {
            serving.decrementAndGet();
            throw new KvsException(ErrorCode.UNAVAILABLE, "key value store is not available: this node is serving "
                    + max + " requests already");
        }
        ctx.attribute(COUNTED, Boolean.TRUE);
    }

    /** After a request was answered (also after a refusal, which was not counted). */
    void leave(Context ctx) {
        if (ctx.attribute(COUNTED) != null) {
            serving.decrementAndGet();
        }
    }
}
