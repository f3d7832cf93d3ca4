package io.kvs.http.api;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.javalin.http.Context;
import io.kvs.raft.client.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Answers a request when its future completes, with the error shape when it fails. */
final class Async {
    private static final Logger LOG = LoggerFactory.getLogger(Async.class);

    private Async() {
    }

    /** The future of {@code work}, whose result {@code onSuccess} writes; failures, synchronous ones too, become error replies. */
    static <T> CompletableFuture<Void> reply(Context ctx, Supplier<CompletableFuture<T>> work, Consumer<T> onSuccess) {
        CompletableFuture<T> future;
        try {
            future = work.get();
        } catch (KvsException e) {
            Replies.error(ctx, e);
            return CompletableFuture.completedFuture(null);
        }
        return future.handle((result, failure) -> {
            if (failure == null) {
                onSuccess.accept(result);
            } else {
                Replies.error(ctx, asKvsException(failure));
            }
            return null;
        });
    }

    static KvsException asKvsException(Throwable failure) {
        Throwable cause = Failures.causeOf(failure);
        if (cause instanceof KvsException e) {
            return e;
        }
        if (cause instanceof java.io.UncheckedIOException e) {
            LOG.info("request failed: {}", e.getCause().getMessage());
            return new KvsException(ErrorCode.UNAVAILABLE, "could not complete: " + e.getCause().getMessage());
        }
        LOG.warn("unexpected failure: {}", cause.toString());
        return new KvsException(ErrorCode.INTERNAL, "internal error: " + cause.getClass().getSimpleName());
    }
}
