package io.kvs.http.api;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.javalin.http.Context;

import java.io.IOException;

/**
 * Reads a request body whole, up to a limit, whether its length is declared or it comes in
 * chunks: into an array of its exact length, never more than the limit plus one byte.
 */
final class Bodies {
    private Bodies() {
    }

    /** The body, or 413 when it is longer than {@code maxBytes}, or 400 when it cannot be read. */
    static byte[] read(Context ctx, int maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw new KvsException(ErrorCode.VALUE_TOO_LARGE);
        }
        try {
            // Without a Content-Length (a chunked body), read one byte past the limit to tell.
            byte[] body = ctx.req().getInputStream().readNBytes(declared >= 0 ? (int) declared : maxBytes + 1);
            if (body.length > maxBytes) {
                throw new KvsException(ErrorCode.VALUE_TOO_LARGE);
            }
            return body;
        } catch (IOException e) {
            // The client went away or stopped sending within the idle timeout.
            throw new KvsException(ErrorCode.BAD_REQUEST, "could not read the request body: " + e.getMessage());
        }
    }
}
