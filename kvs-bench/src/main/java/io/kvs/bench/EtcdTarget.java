package io.kvs.bench;

import com.google.gson.JsonObject;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * etcd's HTTP JSON gateway to its v3 API: {@code POST /v3/kv/put} and {@code POST /v3/kv/range}
 * with base64 keys and values. Ranges are linearizable (etcd's default, serializable=false).
 */
final class EtcdTarget implements Target {
    private static final MediaType JSON = MediaType.get("application/json");

    @Override
    public String allocatedBytesMetric() {
        return "go_memstats_alloc_bytes_total"; // the Go runtime's, which etcd exports
    }

    @Override
    public Session session(HttpUrl endpoint) {
        return new EtcdSession(endpoint);
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static final class EtcdSession implements Session {
        private final HttpUrl put;
        private final HttpUrl range;

        EtcdSession(HttpUrl endpoint) {
            this.put = endpoint.resolve("/v3/kv/put");
            this.range = endpoint.resolve("/v3/kv/range");
        }

        @Override
        public Request put(String key, String value) {
            JsonObject body = new JsonObject();
            body.addProperty("key", base64(key));
            body.addProperty("value", base64(value));
            return new Request.Builder().url(put).post(RequestBody.create(body.toString(), JSON)).build();
        }

        @Override
        public Request get(String key) {
            JsonObject body = new JsonObject();
            body.addProperty("key", base64(key));
            return new Request.Builder().url(range).post(RequestBody.create(body.toString(), JSON)).build();
        }

        @Override
        public String failure(Response response) throws IOException {
            try (ResponseBody body = response.body()) {
                String text = body == null ? "" : body.string();
                return response.code() == 200 ? null : Target.failure(response.code(), text);
            }
        }
    }
}
