package io.kvs.http.cluster;

import io.kvs.core.view.NodeAddress;
import io.kvs.http.cluster.KvsClient.Reply;
import io.kvs.http.peer.InternalApi;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded stream of malformed and random requests against a 4-node cluster: methods, paths,
 * encodings, bodies (huge, chunked, multipart, not UTF-8), causal payloads, malformed
 * {@code ip_port} values and loopback addresses where nothing listens, internal routes without
 * credentials, and bytes that are not HTTP at all. It checks that no answer is a 500, that every
 * key request is answered within a second, that a refused request changed nothing, and that
 * afterwards a view change and a key round trip work on every node.
 *
 * <p>CI runs {@value #DEFAULT_REQUESTS} requests with seed 1; a longer run is
 * {@code mvn -B verify -pl kvs-http -am -Dit.test=FuzzIT -Dfuzz.seed=7 -Dfuzz.requests=100000
 * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class FuzzIT {
    private static final int DEFAULT_REQUESTS = 10_000;
    private static final long SEED = Long.getLong("fuzz.seed", 1);
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", DEFAULT_REQUESTS);
    private static final int REFERENCE_KEYS = 8;
    private static final Duration KEY_REQUEST_BOUND = Duration.ofSeconds(1);
    private static final String[] METHODS = {"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND"};
    private static final String[] ENDPOINTS = {"update_view", "get_partition_id", "get_all_partition_ids",
            "get_partition_members"};
    private static final String[] INTERNAL = {"join", "status", "leave", "export-replica", "seal-hints",
            "degraded-read", "degraded-write", "relay-writes/zz", "relay-writes/" + java.util.UUID.randomUUID()};

    private static final int MAX_UNREACHABLE_ADDS = 3;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int unreachableAdds;
    @AutoClose
    private ProcessCluster cluster;

    @Test
    void malformedAndRandomRequestsAreRefusedCleanlyAndChangeNothing() throws Exception {
        cluster = ProcessCluster.start("fuzz", new LoopbackNetwork(35), 4, 2, Map.of());
        List<NodeAddress> nodes = cluster.addresses();
        KvsClient client = cluster.client();
        Map<String, String> expected = new HashMap<>();
        for (int i = 0; i < REFERENCE_KEYS; i++) {
            String key = "ref_" + i;
            assertTrue(client.put(nodes.get(i % nodes.size()), key, "initial-" + i, "").isSuccess());
            expected.put(key, "initial-" + i);
        }
        Map<String, Set<String>> ambiguous = new HashMap<>();
        Map<String, List<String>> history = new HashMap<>();
        Random random = new Random(SEED);
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        long slowest = 0;
        for (int i = 0; i < REQUESTS && failures.size() < 20; i++) {
            Fuzzed request = next(random, nodes);
            Outcome outcome = send(request);
            statuses.merge(outcome.status(), 1, Integer::sum);
            if (outcome.status() >= 500 && outcome.status() != 503) {
                failures.add(outcome.status() + " for " + request + ": " + outcome.body());
            }
            if (request.isKeyRequest()) {
                slowest = Math.max(slowest, outcome.took().toMillis());
                if (outcome.took().compareTo(KEY_REQUEST_BOUND) > 0) {
                    failures.add("answered after " + outcome.took().toMillis() + " ms: " + request);
                }
            }
            if (request.key() != null) {
                history.computeIfAbsent(request.key(), k -> new ArrayList<>()).add(outcome.status() + " " + request
                        + (request.writes() == null ? "" : " writes '" + shorten(request.writes()) + "'"));
            }
            if (request.writes() != null && expected.containsKey(request.key())) {
                if (outcome.status() == 200 || outcome.status() == 201) {
                    expected.put(request.key(), request.writes());
                    ambiguous.remove(request.key());
                } else if (outcome.status() == 503 || outcome.status() < 0) {
                    ambiguous.computeIfAbsent(request.key(), k -> new java.util.HashSet<>()).add(request.writes());
                }
            }
        }
        System.out.printf("fuzz seed %d: %d requests, statuses %s, slowest key request %d ms%n", SEED, REQUESTS,
                statuses, slowest);
        assertEquals(List.of(), failures);

        for (Map.Entry<String, String> entry : expected.entrySet()) {
            for (NodeAddress node : nodes) {
                String value = client.get(node, entry.getKey(), "").string("value");
                boolean allowed = entry.getValue().equals(value)
                        || ambiguous.getOrDefault(entry.getKey(), Set.of()).contains(value);
                List<String> touched = history.getOrDefault(entry.getKey(), List.of());
                assertTrue(allowed, "its last requests:\n"
                        + String.join("\n", touched.subList(Math.max(0, touched.size() - 6), touched.size()))
                        + "\n" + entry.getKey() + " via " + node + " is '" + shorten(value) + "', expected '"
                        + shorten(entry.getValue()) + "' (a refused request changed it)");
            }
        }
        NodeAddress spare = cluster.startSpareNode().address();
        Reply added = cluster.updateView(nodes.get(0), "add", spare);
        assertEquals(200, added.status(), "a view change after the fuzz: " + added);
        List<NodeAddress> all = cluster.addresses();
        for (NodeAddress node : all) {
            Reply put = client.put(node, "after_fuzz", "via " + node, "");
            assertTrue(put.isSuccess(), put.toString());
            assertEquals("via " + node, client.get(all.get(0), "after_fuzz", put.string("causal_payload")).string("value"));
        }
    }

    /**
     * One request: where it goes, what it sends. {@code key} and {@code writes} name the
     * reference key it would set, and to what, if the store took it.
     */
    private record Fuzzed(String kind, String method, URI uri, Map<String, String> headers, byte[] body, boolean chunked,
                          byte[] raw, String key, String writes) {
        boolean isKeyRequest() {
            return kind.startsWith("key");
        }

        @Override
        public String toString() {
            String shown = body == null ? "" : new String(body, 0, Math.min(body.length, 120), StandardCharsets.ISO_8859_1);
            return kind + " " + method + " " + uri + (body == null ? "" : " body[" + body.length + "] "
                    + shown.replace('\n', ' '))
                    + (chunked ? " chunked" : "");
        }
    }

    private record Outcome(int status, String body, Duration took) {
    }

    private Fuzzed next(Random random, List<NodeAddress> nodes) {
        NodeAddress node = nodes.get(random.nextInt(nodes.size()));
        int choice = random.nextInt(100);
        if (choice < 45) {
            return keyRequest(random, node);
        }
        if (choice < 60) {
            return viewOrPartitionRequest(random, node);
        }
        if (choice < 75) {
            return internalRequest(random, node);
        }
        if (choice < 85) {
            String path = "/" + randomText(random, 30, "abc/._%-~:?&=#");
            return new Fuzzed("path", pick(random, METHODS), uri(node.host(), node.port(), path), Map.of(), null, false,
                    null, null, null);
        }
        return rawRequest(random, node);
    }

    private Fuzzed keyRequest(Random random, NodeAddress node) {
        boolean reference = random.nextInt(3) == 0;
        String key = reference ? "ref_" + random.nextInt(REFERENCE_KEYS) : randomKey(random);
        String method = random.nextInt(10) < 8 ? (random.nextBoolean() ? "PUT" : "GET") : pick(random, METHODS);
        String value = randomValue(random);
        String payload = randomPayload(random);
        Map<String, String> form = new java.util.LinkedHashMap<>();
        if (random.nextInt(8) != 0) {
            form.put("val", value);
        }
        form.put("causal_payload", payload);
        int encoding = random.nextInt(10);
        Map<String, String> headers = new HashMap<>();
        byte[] body;
        String kind = "key";
        if (encoding < 5) {
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            body = formBody(form).getBytes(StandardCharsets.UTF_8);
        } else if (encoding < 7) {
            String boundary = "b" + random.nextInt(1_000_000);
            headers.put("Content-Type", "multipart/form-data; boundary=" + boundary);
            body = random.nextInt(4) == 0 ? randomBytes(random, 200) : multipart(boundary, form);
            kind = "key-multipart";
        } else if (encoding < 8) {
            headers.put("Content-Type", random.nextBoolean() ? "application/json" : "text/plain");
            body = randomBytes(random, random.nextInt(4) == 0 ? 3_000_000 : 500);
            kind = "key-raw";
        } else if (encoding < 9) {
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            body = ("val=" + "%zz%" + randomText(random, 20, "%0123456789abcdefXYZ")).getBytes(StandardCharsets.UTF_8);
            kind = "key-badescape";
        } else {
            headers.put("Content-Type", "application/x-www-form-urlencoded");
            body = ("val=" + "v".repeat(random.nextInt(3) == 0 ? 5 * 1024 * 1024 : 1024 * 1024 + 1))
                    .getBytes(StandardCharsets.UTF_8);
            kind = "key-huge";
        }
        boolean chunked = random.nextInt(5) == 0;
        String path = "/kv-store/" + URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
        // Only a well-formed write of a form or multipart body would set the key to this value.
        boolean wellFormed = "PUT".equals(method) && form.containsKey("val") && (kind.equals("key")
                || (kind.equals("key-multipart") && body.length > 0 && body[0] == '-'));
        return new Fuzzed(kind, method, uri(node.host(), node.port(), path), headers, body, chunked, null,
                reference ? key : null, wellFormed ? value : null);
    }

    private Fuzzed viewOrPartitionRequest(Random random, NodeAddress node) {
        String endpoint = pick(random, ENDPOINTS);
        Map<String, String> form = new HashMap<>();
        String query = "";
        if (endpoint.equals("update_view")) {
            query = "?type=" + (random.nextInt(4) == 0 ? randomText(random, 8, "addremove ") : random.nextBoolean() ? "add" : "remove");
            form.put("ip_port", randomIpPort(random, node));
        } else {
            form.put("partition_id", random.nextBoolean() ? Integer.toString(random.nextInt(6) - 2)
                    : randomText(random, 6, "0123456789-.x "));
        }
        byte[] body = formBody(form).getBytes(StandardCharsets.UTF_8);
        return new Fuzzed("view", random.nextBoolean() ? "PUT" : "GET",
                uri(node.host(), node.port(), "/kv-store/" + endpoint + query),
                Map.of("Content-Type", "application/x-www-form-urlencoded"), body, random.nextInt(6) == 0, null, null,
                null);
    }

    /**
     * An ip_port: malformed, or a well-formed one that names no node; never a node's. An add of
     * an address where nothing listens takes the join deadline (10 s) to fail, so only a few are
     * sent.
     */
    private String randomIpPort(Random random, NodeAddress node) {
        return switch (random.nextInt(6)) {
            case 0 -> "a b:8080";
            case 1 -> node.host() + " :" + node.port();
            case 2 -> node + "\n";
            case 3 -> randomText(random, 15, "0123456789.:");
            case 4 -> "127.0.35." + (100 + random.nextInt(100)) + ":"
                    + (unreachableAdds++ < MAX_UNREACHABLE_ADDS ? "8080" : "70000");
            default -> "127.0.35.0" + random.nextInt(10) + ":8080";
        };
    }

    private Fuzzed internalRequest(Random random, NodeAddress node) {
        InternalApi api = cluster.internalApi();
        String path = "/internal/" + pick(random, INTERNAL);
        boolean internalPort = random.nextBoolean();
        int port = internalPort ? api.port(node) : node.port();
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        if (random.nextBoolean()) {
            headers.put(InternalApi.TOKEN_HEADER, random.nextBoolean() ? "123.abc" : randomText(random, 30, "0123456789.-_ab"));
        }
        byte[] body = random.nextBoolean() ? "{\"group\":0,\"slots\":\"AQ==\",\"key\":\"ref_0\",\"value\":\"x\"}"
                .getBytes(StandardCharsets.UTF_8) : randomBytes(random, 100);
        return new Fuzzed("internal", random.nextBoolean() ? "POST" : "GET", uri(node.host(), port, path), headers, body,
                random.nextInt(4) == 0, null, null, null);
    }

    /** Bytes that are barely HTTP, or not at all, on a raw socket. */
    private Fuzzed rawRequest(Random random, NodeAddress node) {
        String[] forms = {
            "GET /kv-store/ref_0 HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\nval=1",
            "PUT /kv-store/ref_1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nval=1\r\n0\r\n\r\n",
            "GARBAGE\r\n\r\n",
            "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
            "PUT /kv-store/ref_2 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nva",
            "GET /kv-store/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
        };
        byte[] raw = random.nextInt(5) == 0 ? randomBytes(random, 300)
                : pick(random, forms).getBytes(StandardCharsets.ISO_8859_1);
        return new Fuzzed("raw", "RAW", uri(node.host(), node.port(), "/"), Map.of(), null, false, raw, null, null);
    }

    private Outcome send(Fuzzed request) {
        long start = System.nanoTime();
        if (request.raw() != null) {
            return sendRaw(request, start);
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri()).timeout(Duration.ofSeconds(30));
        request.headers().forEach(builder::header);
        HttpRequest.BodyPublisher body = request.body() == null ? HttpRequest.BodyPublishers.noBody()
                : request.chunked() ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(request.body()))
                : HttpRequest.BodyPublishers.ofByteArray(request.body());
        try {
            builder.method(request.method(), body);
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            return new Outcome(response.statusCode(), response.body(), Duration.ofNanos(System.nanoTime() - start));
        } catch (IllegalArgumentException refusedByTheClient) {
            return new Outcome(-2, refusedByTheClient.getMessage(), Duration.ZERO);
        } catch (IOException e) {
            // The server closed the connection on a body it would not read: no answer, no 500.
            return new Outcome(-1, e.toString(), Duration.ofNanos(System.nanoTime() - start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static Outcome sendRaw(Fuzzed request, long start) {
        try (Socket socket = new Socket(request.uri().getHost(), request.uri().getPort())) {
            socket.setSoTimeout(35_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.raw());
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            int status = head.startsWith("HTTP/1.1 ") && head.length() >= 12 ? Integer.parseInt(head.substring(9, 12)) : -1;
            return new Outcome(status, head, Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException | NumberFormatException e) {
            return new Outcome(-1, e.toString(), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private static URI uri(String host, int port, String path) {
        try {
            return URI.create("http://" + host + ":" + port + path);
        } catch (IllegalArgumentException e) {
            return URI.create("http://" + host + ":" + port + "/" + URLEncoder.encode(path, StandardCharsets.UTF_8));
        }
    }

    private static String formBody(Map<String, String> form) {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return body.toString();
    }

    private static byte[] multipart(String boundary, Map<String, String> form) {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"").append(k).append("\"\r\n\r\n").append(v).append("\r\n"));
        body.append("--").append(boundary).append("--\r\n");
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String shorten(String text) {
        return text == null || text.length() <= 60 ? text : text.substring(0, 60) + "...(" + text.length() + " chars)";
    }

    private static String randomKey(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> "";
            case 1 -> "k".repeat(199 + random.nextInt(4));
            case 2 -> randomText(random, 12, "abcXYZ_019-./ %\u00e9\u0000");
            case 3 -> pick(random, ENDPOINTS);
            default -> "fz_" + random.nextInt(50);
        };
    }

    private static String randomValue(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> "";
            case 1 -> randomText(random, 40, "abc\u00e9\u4e2d\ud83d\ude00\n\t\"'\\<>&=%+");
            case 2 -> "x".repeat(1024 * 1024 - random.nextInt(3) + random.nextInt(3));
            default -> "v" + random.nextInt(1_000_000);
        };
    }

    private static String randomPayload(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> "";
            case 1 -> "9.9.9.9";
            case 2 -> randomText(random, 60, "ABCDEFabcdef0123456789-_=;.");
            case 3 -> "a".repeat(70_000);
            case 4 -> java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                    ("k2;deadbeef;e=99;g0=" + Long.MAX_VALUE + ";x").getBytes(StandardCharsets.UTF_8));
            default -> "";
        };
    }

    /** Up to {@code maxLength} characters of {@code alphabet}, whole code points (no half of a surrogate pair). */
    private static String randomText(Random random, int maxLength, String alphabet) {
        int[] codePoints = alphabet.codePoints().toArray();
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
        }
        return text.toString();
    }

    private static byte[] randomBytes(Random random, int maxLength) {
        byte[] bytes = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }
}
