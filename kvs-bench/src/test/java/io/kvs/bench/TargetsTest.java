package io.kvs.bench;

import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TargetsTest {
    private static final HttpUrl ENDPOINT = HttpUrl.get("http://127.0.0.11:8080/");

    private static String body(Request request) throws IOException {
        Buffer buffer = new Buffer();
        request.body().writeTo(buffer);
        return buffer.readUtf8();
    }

    private static Response response(Request request, int code, String json) {
        return new Response.Builder().request(request).protocol(Protocol.HTTP_1_1).code(code).message("")
                .body(ResponseBody.create(json, MediaType.get("application/json"))).build();
    }

    @Test
    void kvsSessionsSendFormsAndPassBackTheLastCausalPayload() throws IOException {
        Target.Session session = new KvsTarget().session(ENDPOINT);
        Request put = session.put("k1", "v 1");
        assertEquals("PUT", put.method());
        assertEquals("http://127.0.0.11:8080/kv-store/k1", put.url().toString());
        assertEquals("val=v+1&causal_payload=", body(put));
        assertNull(session.failure(response(put, 201, "{\"result\":\"success\",\"causal_payload\":\"abc\"}")));
        assertEquals("val=v+1&causal_payload=abc", body(session.put("k1", "v 1")), "the value encoded once, the payload anew");

        Request get = session.get("k1");
        assertEquals("GET", get.method());
        assertEquals("abc", get.url().queryParameter("causal_payload"), "the payload of the last answer");
        assertEquals("HTTP 503 {\"result\":\"error\"}", session.failure(response(get, 503, "{\"result\":\"error\"}")),
                "a failure names the status and what the store said");
        assertEquals("abc", session.get("k1").url().queryParameter("causal_payload"), "an error leaves it");
    }

    @Test
    void etcdSessionsSendBase64JsonToTheGateway() throws IOException {
        Target.Session session = new EtcdTarget().session(ENDPOINT);
        Request put = session.put("k1", "v1");
        assertEquals("http://127.0.0.11:8080/v3/kv/put", put.url().toString());
        assertEquals("{\"key\":\"azE=\",\"value\":\"djE=\"}", body(put));
        Request get = session.get("k1");
        assertEquals("http://127.0.0.11:8080/v3/kv/range", get.url().toString());
        assertEquals("{\"key\":\"azE=\"}", body(get));
        assertNull(session.failure(response(get, 200, "{\"kvs\":[]}")));
        assertEquals("HTTP 503 {}", session.failure(response(get, 503, "{}")));
    }
}
