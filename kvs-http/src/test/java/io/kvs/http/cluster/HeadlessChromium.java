package io.kvs.http.cluster;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;

/**
 * One page open in a headless Chromium (Debian's {@code chromium}), driven over the DevTools
 * protocol: the test evaluates JavaScript in the live page, as a user's browser runs it, and
 * takes screenshots.
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final Gson GSON = new Gson();
    private static final Duration START_DEADLINE = Duration.ofSeconds(30);
    private static final Duration COMMAND_DEADLINE = Duration.ofSeconds(10);

    private final Process process;
    private final OkHttpClient http;
    private final WebSocket socket;
    private final AtomicInteger nextId = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, OkHttpClient http, String pageSocketUrl) {
        this.process = process;
        this.http = http;
        this.socket = http.newWebSocket(new Request.Builder().url(pageSocketUrl).build(), new WebSocketListener() {
            @Override
            public void onMessage(WebSocket webSocket, String text) {
                JsonObject message = GSON.fromJson(text, JsonObject.class);
                if (message.has("id")) {
                    CompletableFuture<JsonObject> answer = pending.remove(message.get("id").getAsInt());
                    if (answer != null) {
                        answer.complete(message);
                    }
                }
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                pending.values().forEach(answer -> answer.completeExceptionally(t));
            }
        });
    }

    /** Whether Chromium is installed ({@code .ci/run} installs it). */
    public static boolean installed() {
        return Files.isExecutable(Path.of("/usr/bin/chromium"));
    }

    /** Starts Chromium with its profile in {@code profile} and opens {@code url}. */
    public static HeadlessChromium open(String url, Path profile) throws IOException {
        Files.createDirectories(profile);
        Path portFile = profile.resolve("DevToolsActivePort");
        Files.deleteIfExists(portFile);
        Process process = new ProcessBuilder("/usr/bin/chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--no-first-run", "--window-size=1200,900",
                "--remote-debugging-port=0", "--user-data-dir=" + profile, url)
                .redirectErrorStream(true)
                .redirectOutput(profile.resolve("chromium.log").toFile())
                .start();
        OkHttpClient http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(5)).build();
        try {
            int port = Integer.parseInt(await("Chromium's DevTools port").atMost(START_DEADLINE).until(() -> {
                try {
                    List<String> lines = Files.exists(portFile) ? Files.readAllLines(portFile) : List.of();
                    return lines.isEmpty() || lines.get(0).isBlank() ? null : lines.get(0).trim();
                } catch (IOException e) {
                    return null;
                }
            }, Objects::nonNull));
            String socketUrl = await("the page's DevTools socket").atMost(START_DEADLINE)
                    .until(() -> pageSocket(http, port), Objects::nonNull);
            return new HeadlessChromium(process, http, socketUrl);
        } catch (RuntimeException | Error e) {
            process.destroyForcibly();
            shutdown(http);
            throw e;
        }
    }

    private static String pageSocket(OkHttpClient http, int port) {
        Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/json/list").build();
        try (Response response = http.newCall(request).execute()) {
            JsonArray targets = GSON.fromJson(response.body().string(), JsonArray.class);
            for (JsonElement target : targets) {
                JsonObject t = target.getAsJsonObject();
                if ("page".equals(t.get("type").getAsString()) && t.has("webSocketDebuggerUrl")) {
                    return t.get("webSocketDebuggerUrl").getAsString();
                }
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The value of a JavaScript expression in the page (an object or array comes as JSON text). */
    public JsonElement evaluate(String expression) {
        JsonObject params = new JsonObject();
        params.addProperty("expression", "JSON.stringify(" + expression + ")");
        params.addProperty("returnByValue", true);
        JsonObject result = command("Runtime.evaluate", params).getAsJsonObject("result");
        if (result.has("exceptionDetails")) {
            throw new AssertionError("the page threw: " + result.get("exceptionDetails"));
        }
        JsonElement value = result.getAsJsonObject("result").get("value");
        return value == null || value.isJsonNull() ? null : GSON.fromJson(value.getAsString(), JsonElement.class);
    }

    /** A PNG of the page as the browser draws it now, written to {@code file}. */
    public void screenshot(Path file) throws IOException {
        JsonObject params = new JsonObject();
        params.addProperty("format", "png");
        String data = command("Page.captureScreenshot", params).getAsJsonObject("result").get("data").getAsString();
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, Base64.getDecoder().decode(data.getBytes(StandardCharsets.US_ASCII)));
    }

    private JsonObject command(String method, JsonObject params) {
        int id = nextId.incrementAndGet();
        CompletableFuture<JsonObject> answer = new CompletableFuture<>();
        pending.put(id, answer);
        JsonObject message = new JsonObject();
        message.addProperty("id", id);
        message.addProperty("method", method);
        message.add("params", params);
        if (!socket.send(GSON.toJson(message))) {
            pending.remove(id);
            throw new AssertionError("the DevTools socket is closed");
        }
        try {
            JsonObject reply = answer.get(COMMAND_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
            if (reply.has("error")) {
                throw new AssertionError(method + " failed: " + reply.get("error"));
            }
            return reply;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted during " + method);
        } catch (ExecutionException | TimeoutException e) {
            pending.remove(id);
            throw new AssertionError(method + " got no answer: " + e);
        }
    }

    private static void shutdown(OkHttpClient http) {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Override
    public void close() throws InterruptedException {
        socket.close(1000, "done");
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        shutdown(http);
    }
}
