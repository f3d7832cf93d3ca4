package io.kvs.bench;

import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;

/**
 * A store's HTTP API, as one client session speaks it. The load generator's code path is the
 * same for every store; only the encoding of requests and the reading of answers differ.
 */
interface Target {

    /** A new client session talking to {@code endpoint}. */
    Session session(HttpUrl endpoint);

    /** The counter of bytes a server has allocated, among the Prometheus metrics at its {@code /metrics}. */
    String allocatedBytesMetric();

    /** One client's requests, and what it keeps between them. */
    interface Session {
        Request put(String key, String value);

        Request get(String key);

        /**
         * Null if {@code response} (whose body this reads and closes) is a success, keeping what
         * the session's next request needs from it; else what went wrong ({@link #failure}).
         */
        String failure(Response response) throws IOException;
    }

    /** A failed answer as reported: its status and the start of its body. */
    static String failure(int status, String body) {
        String excerpt = body.length() > 160 ? body.substring(0, 160) + "..." : body;
        return "HTTP " + status + " " + excerpt.replace('\n', ' ').trim();
    }
}
