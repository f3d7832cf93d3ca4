package io.kvs.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * kvs's API (CONTRACT.md §3): {@code PUT /kv-store/<key>} with a form body, {@code GET
 * /kv-store/<key>} with the payload as a query parameter. Each session passes back the causal
 * payload of its last answer, as a real client does, so the store does all the causal work.
 */
final class KvsTarget implements Target {
    private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");

    @Override
    public String allocatedBytesMetric() {
        return "jvm_gc_memory_allocated_bytes_total"; // Micrometer's JvmGcMetrics
    }

    @Override
    public Session session(HttpUrl endpoint) {
        return new KvsSession(endpoint);
    }

    /** {@code val=<value>}, form-encoded. */
    private static byte[] valueField(String value) {
        return ("val=" + URLEncoder.encode(value, StandardCharsets.UTF_8)).getBytes(StandardCharsets.US_ASCII);
    }

    private final class KvsSession implements Session {
        private final HttpUrl endpoint;
        private String payload = "";

        KvsSession(HttpUrl endpoint) {
            this.endpoint = endpoint;
        }

        private HttpUrl.Builder keyUrl(String key) {
            return endpoint.newBuilder().addPathSegment("kv-store").addPathSegment(key);
        }

        @Override
        public Request put(String key, String value) {
            byte[] field = valueField(value);
            byte[] rest = ("&causal_payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] body = Arrays.copyOf(field, field.length + rest.length);
            System.arraycopy(rest, 0, body, field.length, rest.length);
            return new Request.Builder().url(keyUrl(key).build()).put(RequestBody.create(body, FORM)).build();
        }

        @Override
        public Request get(String key) {
            return new Request.Builder().url(keyUrl(key).addQueryParameter("causal_payload", payload).build()).build();
        }

        @Override
        public String failure(Response response) throws IOException {
            try (ResponseBody body = response.body()) {
                String text = body == null ? "" : body.string();
                if (response.code() != 200 && response.code() != 201) {
                    return Target.failure(response.code(), text);
                }
                JsonElement next = JsonParser.parseString(text).getAsJsonObject().get("causal_payload");
                if (next != null) {
                    payload = next.getAsString();
                }
                return null;
            }
        }
    }
}
