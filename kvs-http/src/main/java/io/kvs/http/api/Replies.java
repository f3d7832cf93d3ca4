package io.kvs.http.api;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.kvs.core.error.KvsException;
import io.javalin.http.Context;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two JSON shapes every response takes (CONTRACT.md §3):
 * {@code {"result":"success","msg":"success",...}} and
 * {@code {"result":"error","error":text,"msg":text}}; an error that passes with time alone
 * (back-pressure) also says when to try again, in a {@code Retry-After} header.
 */
public final class Replies {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private Replies() {
    }

    public static void success(Context ctx, int status, Map<String, ?> fields) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", "success");
        body.put("msg", "success");
        body.putAll(fields);
        write(ctx, status, body);
    }

    public static void error(Context ctx, KvsException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", "error");
        body.put("error", e.getMessage());
        body.put("msg", e.getMessage());
        if (e.code().retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Integer.toString(e.code().retryAfterSeconds()));
        }
        write(ctx, e.httpStatus(), body);
    }

    /**
     * Writes the answer to the response itself: an answer set as the context's result would be
     * copied to it through a buffer Javalin allocates for each answer, larger than most answers.
     */
    private static void write(Context ctx, int status, Map<String, Object> body) {
        byte[] json = GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        ctx.status(status).contentType("application/json");
        try {
            ctx.outputStream().write(json);
        } catch (IOException clientGone) {
            // The client closed its connection before its answer: there is no one to tell.
        }
    }
}
