package io.kvs.http.cluster;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.kvs.core.view.NodeAddress;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A test client speaking the public API as curl does: form bodies on GET and PUT. (OkHttp, which
 * the nodes use, refuses a body on GET; the JDK client sends one.)
 */
public final class KvsClient {
    private static final Gson GSON = new Gson();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Duration timeout;

    public KvsClient(Duration timeout) {
        this.timeout = timeout;
    }

    /** A response: its status, its JSON body, its Retry-After header (null if none) and how long it took. */
    public record Reply(int status, JsonObject json, String retryAfter, Duration took) {
        public String string(String field) {
            return json.has(field) && !json.get(field).isJsonNull() ? json.get(field).getAsString() : null;
        }

        public int integer(String field) {
            return json.get(field).getAsInt();
        }

        public boolean isSuccess() {
            return "success".equals(string("result"));
        }

        @Override
        public String toString() {
            return status + " " + json + " in " + took.toMillis() + " ms";
        }
    }

    public Reply put(NodeAddress node, String key, String value, String payload) {
        Map<String, String> form = new LinkedHashMap<>();
        if (value != null) {
            form.put("val", value);
        }
        form.put("causal_payload", payload == null ? "" : payload);
        return send("PUT", node, "/kv-store/" + key, form);
    }

    public Reply get(NodeAddress node, String key, String payload) {
        return send("GET", node, "/kv-store/" + key, Map.of("causal_payload", payload == null ? "" : payload));
    }

    public Reply delete(NodeAddress node, String key, String payload) {
        return send("DELETE", node, "/kv-store/" + key, Map.of("causal_payload", payload == null ? "" : payload));
    }

    public Reply send(String method, NodeAddress node, String path, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        return sendBody(method, node, path, body);
    }

    /** Sends {@code body} as it is, as a form: for bodies a well-behaved client would not send. */
    public Reply sendBody(String method, NodeAddress node, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + node + path))
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            return new Reply(response.statusCode(), GSON.fromJson(response.body(), JsonObject.class),
                    response.headers().firstValue("Retry-After").orElse(null), took);
        } catch (IOException e) {
            return new Reply(-1, errorJson(e.toString()), null, Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(-1, errorJson("interrupted"), null, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /** The node's {@code GET /metrics} text, in Prometheus' format. */
    public String metrics(NodeAddress node) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + node + "/metrics")).timeout(timeout).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET /metrics of " + node + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    /**
     * The sum of the samples of {@code node}'s metrics whose line starts with {@code prefix}
     * (a name, or a name with the start of its labels); -1 if the node does not answer.
     */
    public long metric(NodeAddress node, String prefix) {
        try {
            return (long) metrics(node).lines().filter(line -> line.startsWith(prefix))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static JsonObject errorJson(String why) {
        JsonObject json = new JsonObject();
        json.addProperty("result", "client-error");
        json.addProperty("error", why);
        return json;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
