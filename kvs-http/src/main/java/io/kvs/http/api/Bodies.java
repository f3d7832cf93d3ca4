package io.kvs.http.api;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.javalin.http.Context;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Reads a request body whole, up to a limit and within a deadline, whether its length is declared
 * or it comes in chunks: never more than the limit plus one byte.
 */
final class Bodies {
    private Bodies() {
    }

    /** How long a body may take to arrive, whatever its size: a client trickling one holds a thread no longer. */
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final byte[] EMPTY = new byte[0];

    /**
     * The body, or 413 when it is longer than {@code maxBytes}, 408 when it takes longer than its
     * deadline to arrive, or 400 when it cannot be read.
     */
    static byte[] read(Context ctx, int maxBytes) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw new KvsException(ErrorCode.VALUE_TOO_LARGE);
        }
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        try {
            InputStream in = ctx.req().getInputStream();
            if (declared >= 0) {
                byte[] body = new byte[(int) declared]; // the common case: one array of the exact length
                int filled = fill(in, body, 0, body.length, deadline);
                return filled == body.length ? body : Arrays.copyOf(body, filled);
            }
            // No declared length: a chunked body, or none at all (a GET with its payload in the
            // query string, the most frequent request), which must cost no buffers.
            int first = in.read();
            if (first < 0) {
                return EMPTY;
            }
            // A chunked body: read in chunks, one byte past the limit to tell.
            ByteArrayOutputStream body = new ByteArrayOutputStream(CHUNK_BYTES);
            body.write(first);
            byte[] chunk = new byte[CHUNK_BYTES];
            int read;
            while (body.size() <= maxBytes && (read = fill(in, chunk, 0, chunk.length, deadline)) > 0) {
                body.write(chunk, 0, read);
            }
            if (body.size() > maxBytes) {
                throw new KvsException(ErrorCode.VALUE_TOO_LARGE);
            }
            return body.toByteArray();
        } catch (IOException e) {
            // The client went away or stopped sending within the idle timeout.
            throw new KvsException(ErrorCode.BAD_REQUEST, "could not read the request body: " + e.getMessage());
        }
    }

    /** Reads into {@code into[from..to)} until it is full or the body ends; how many bytes it read. 408 past the deadline. */
    private static int fill(InputStream in, byte[] into, int from, int to, long deadline) throws IOException {
        int at = from;
        while (at < to) {
            int read = in.read(into, at, to - at);
            if (read < 0) {
                break;
            }
            at += read;
            if (System.nanoTime() > deadline) {
                throw new KvsException(ErrorCode.REQUEST_TIMEOUT);
            }
        }
        return at - from;
    }
}
