package io.kvs.http.api;

import io.javalin.http.Context;

/**
 * Request parameters from a form body, on GET and PUT as on POST ({@code curl -X GET -d
 * 'partition_id=1'}), or else from the query string.
 */
final class Params {
    private Params() {
    }

    static String get(Context ctx, String name) {
        String fromBody = ctx.formParam(name);
        return fromBody != null ? fromBody : ctx.queryParam(name);
    }
}
