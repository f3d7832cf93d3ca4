package io.kvs.http.api;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.javalin.http.Context;
import org.eclipse.jetty.util.MultiMap;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Request parameters from a form body, on GET and PUT as on POST ({@code curl -X GET -d
 * 'partition_id=1'}), or else from the query string.
 *
 * <p>The body is read once per request ({@link Bodies}) and decoded by {@link FormBody}:
 * Javalin's own form parsing reads it through two 8 KiB buffers, for bodies of a few hundred
 * bytes, and decodes it a byte at a time. Multipart bodies are left to Javalin, within the same
 * limit. The query string is decoded by {@link FormBody} too: Jetty's decoding of it makes bytes
 * that are not UTF-8 into U+FFFD, storing what the client did not send, and logs a warning for
 * each such request.
 */
final class Params {
    private static final String FORM = Params.class.getName() + ".form";
    private static final String QUERY = Params.class.getName() + ".query";
    private static final int MAX_FIELDS = 100;

    private Params() {
    }

    static String get(Context ctx, String name) {
        String fromBody = ctx.isMultipartFormData() ? multipart(ctx, name) : form(ctx).getValue(name, 0);
        return fromBody != null ? fromBody : query(ctx).getValue(name, 0);
    }

    /** A field of a multipart body (curl -F); a malformed or oversized body is the client's error. */
    private static String multipart(Context ctx, String name) {
        try {
            return ctx.formParam(name);
        } catch (Exception e) { // Javalin throws the servlet's IOException undeclared
            if (e instanceof KvsException k) {
                throw k;
            }
            String why = String.valueOf(e.getMessage());
            if (why.contains("max")) {
                throw new KvsException(ErrorCode.VALUE_TOO_LARGE);
            }
            throw new KvsException(ErrorCode.BAD_REQUEST, "malformed multipart body: " + why);
        }
    }

    private static MultiMap<String> form(Context ctx) {
        return decodedOnce(ctx, FORM, () -> decode(Bodies.read(ctx, (int) HttpApi.MAX_BODY_BYTES), "form body"));
    }

    private static MultiMap<String> query(Context ctx) {
        return decodedOnce(ctx, QUERY, () -> {
            String raw = ctx.queryString();
            // Percent-encoded, as a client should send it, the string is ASCII; raw UTF-8, Jetty read as UTF-8.
            return decode(raw == null ? new byte[0] : raw.getBytes(StandardCharsets.UTF_8), "query string");
        });
    }

    /** The fields {@code decode} gives, kept in the request's {@code attribute}: a request asks for several. */
    private static MultiMap<String> decodedOnce(Context ctx, String attribute, Supplier<MultiMap<String>> decode) {
        MultiMap<String> fields = ctx.attribute(attribute);
        if (fields == null) {
            fields = decode.get();
            ctx.attribute(attribute, fields);
        }
        return fields;
    }

    private static MultiMap<String> decode(byte[] encoded, String what) {
        try {
            return FormBody.decode(encoded, MAX_FIELDS);
        } catch (CharacterCodingException | IllegalArgumentException | IllegalStateException malformed) {
            // A bad %-escape, bytes that are not UTF-8, or too many fields.
            String why = malformed instanceof CharacterCodingException ? "a field is not UTF-8" : malformed.getMessage();
            throw new KvsException(ErrorCode.BAD_REQUEST, "malformed " + what + ": " + why);
        }
    }
}
