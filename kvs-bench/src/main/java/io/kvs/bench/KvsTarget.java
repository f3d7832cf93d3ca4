package io.kvs.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

import java.io.IOException;

/**
 * kvs's API (CONTRACT.md §3): {@code PUT /kv-store/<key>} with a form body, {@code GET
 * /kv-store/<key>} with the payload as a query parameter. Each session passes back the causal
 * payload of its last answer, as a real client does, so the store does all the causal work.
 */
final class KvsTarget implements Target {

    @Override
    public Session session(HttpUrl endpoint) {
        return new KvsSession(endpoint);
    }

    private static final class KvsSession implements Session {
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
            FormBody body = new FormBody.Builder().add("val", value).add("causal_payload", payload).build();
            return new Request.Builder().url(keyUrl(key).build()).put(body).build();
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
