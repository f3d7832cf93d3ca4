package io.kvs.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The cluster's public API over HTTP, as curl speaks it (form bodies, on GET too). A request goes
 * to the first endpoint; where one does not answer, or answers 503 (no majority in reach of
 * that node, a node not yet ready), a request that may be repeated goes on to the next.
 */
final class ClusterClient {
    private static final Gson GSON = new Gson();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final List<String> endpoints;
    private final HttpClient http;

    /** An answer: its status, its JSON body and the endpoint that gave it. */
    record Answer(int status, JsonObject json, String endpoint) {
        boolean isSuccess() {
            return status >= 200 && status < 300;
        }

        String text(String field) {
            return json.has(field) && !json.get(field).isJsonNull() ? json.get(field).getAsString() : null;
        }

        /** What the node said went wrong, or the status. */
        String error() {
            String error = text("error");
            return error != null ? error : "HTTP " + status;
        }
    }

    ClusterClient(List<String> endpoints) {
        if (endpoints.isEmpty()) {
            throw new CliException("no endpoint: give --endpoints host:port[,host:port...]");
        }
        this.endpoints = List.copyOf(endpoints);
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    /**
     * Sends a request that may be repeated (a read, a write of the same value) to each endpoint in
     * turn until one answers with anything but 503; the last 503 if every one does.
     */
    Answer send(String method, String path, Map<String, String> form, Duration timeout) {
        Answer unavailable = null;
        IOException unreachable = null;
        for (String endpoint : endpoints) {
            try {
                Answer answer = sendTo(endpoint, method, path, form, timeout);
                if (answer.status() != 503) {
                    return answer;
                }
                unavailable = answer;
            } catch (IOException e) {
                unreachable = e;
            }
        }
        if (unavailable != null) {
            return unavailable;
        }
        throw unreachable(unreachable);
    }

    /** Sends a request once, to the first endpoint that takes a connection: one that must not be repeated. */
    Answer sendOnce(String method, String path, Map<String, String> form, Duration timeout) {
        IOException unreachable = null;
        for (String endpoint : endpoints) {
            try {
                return sendTo(endpoint, method, path, form, timeout);
            } catch (java.net.ConnectException e) {
                unreachable = e; // the request never left: another endpoint may take it
            } catch (IOException e) {
                throw new CliException(endpoint + " did not answer: " + why(e));
            }
        }
        throw unreachable(unreachable);
    }

    private CliException unreachable(IOException last) {
        return new CliException("no endpoint answered (" + String.join(", ", endpoints) + "): " + why(last));
    }

    private static String why(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private Answer sendTo(String endpoint, String method, String path, Map<String, String> form, Duration timeout)
            throws IOException {
        String body = form.entrySet().stream()
                .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + endpoint + path))
                .timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
        JsonObject json;
        try {
            json = GSON.fromJson(response.body(), JsonObject.class);
        } catch (JsonParseException e) {
            json = null;
        }
        if (json == null) {
            throw new IOException(endpoint + " answered " + response.statusCode() + " without a JSON body");
        }
        return new Answer(response.statusCode(), json, endpoint);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
