package io.kvs.http.peer;

import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/** A call to another node's internal API without a thread waiting on it: its answer's body, or why there is none. */
public final class AsyncPeerCall {
    private AsyncPeerCall() {
    }

    /**
     * The body of the answer to {@code request}; the future fails if the call fails or the
     * answer is not a success ({@code who} names the peer in that error).
     */
    public static CompletableFuture<byte[]> body(OkHttpClient http, Request request, Object who) {
        CompletableFuture<byte[]> body = new CompletableFuture<>();
        http.newCall(request).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                body.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call call, Response response) {
                try (ResponseBody responseBody = response.body()) {
                    if (!response.isSuccessful() || responseBody == null) {
                        body.completeExceptionally(new IOException(who + " answered " + response.code()));
                    } else {
                        body.complete(responseBody.bytes());
                    }
                } catch (IOException | RuntimeException e) {
                    body.completeExceptionally(e);
                }
            }
        });
        return body;
    }
}
