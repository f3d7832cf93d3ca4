package io.kvs.http.api;

import io.javalin.Javalin;
import io.kvs.core.error.KvsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Params on a real Javalin server: form bodies on GET and PUT, chunked or not, multipart, the query. */
class ParamsTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Javalin app;

    @BeforeEach
    void start() {
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = HttpApi.MAX_BODY_BYTES;
        });
        app.exception(KvsException.class, (e, ctx) -> ctx.status(e.httpStatus()).result(e.getMessage()));
        app.get("/p", ctx -> ctx.result(String.valueOf(Params.get(ctx, "val"))));
        app.put("/p", ctx -> ctx.result(String.valueOf(Params.get(ctx, "val"))));
        app.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    private HttpResponse<String> send(String method, String query, String contentType, HttpRequest.BodyPublisher body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/p" + query))
                .method(method, body);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> form(String method, String body) throws Exception {
        return send(method, "", "application/x-www-form-urlencoded", HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    void formBodiesAreReadOnGetAndPutAlike() throws Exception {
        assertEquals("a b\u00e9", form("GET", "val=a+b%C3%A9").body());
        assertEquals("x", form("PUT", "other=1&val=x&val=y").body(), "the first of a repeated field");
        assertEquals("", form("PUT", "val=").body());
        assertEquals("null", form("PUT", "other=1").body());
        assertEquals("", form("PUT", "a&&val&b=2").body(), "a field without '=' is empty");
        assertEquals("x=y", form("PUT", "val=x=y").body(), "only the first '=' separates");
        String large = "v".repeat(1 << 20);
        assertEquals(large, form("PUT", "causal_payload=&val=" + large).body());
    }

    /** A form of {@code count} distinct fields. */
    private static String manyFields(int count) {
        StringBuilder form = new StringBuilder();
        for (int i = 0; i < count; i++) {
            form.append(i == 0 ? "" : "&").append("f").append(i).append("=1");
        }
        return form.toString();
    }

    @Test
    void malformedFormBodiesAreRefused() throws Exception {
        for (String body : new String[]{"val=%zz", "val=abc%", "val=a%2", "val=%C3%28", manyFields(101)}) {
            HttpResponse<String> reply = form("PUT", body);
            assertEquals(400, reply.statusCode(), body);
            assertTrue(reply.body().startsWith("malformed form body"), reply.body());
        }
        HttpResponse<String> notUtf8 = send("PUT", "", "application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofByteArray(new byte[]{'v', 'a', 'l', '=', (byte) 0xC3, '('}));
        assertEquals(400, notUtf8.statusCode());
        assertTrue(notUtf8.body().startsWith("malformed form body"), notUtf8.body());
    }

    @Test
    void theQueryServesWhenTheBodyDoesNotSayIt() throws Exception {
        assertEquals("q", send("GET", "?val=q", null, HttpRequest.BodyPublishers.noBody()).body());
        assertEquals("b", send("PUT", "?val=q", "application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofString("val=b")).body(), "the body first");
    }

    /**
     * A GET whose request line is {@code target}, as bytes, written on a socket: a client like
     * curl sends a query the JDK's URI would refuse.
     */
    private String[] rawGet(byte[] target) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", app.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET ".getBytes(StandardCharsets.US_ASCII));
            out.write(target);
            out.write(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return new String[]{reply.substring(9, 12), reply.substring(reply.indexOf("\r\n\r\n") + 4)};
        }
    }

    private String[] rawGet(String target) throws Exception {
        return rawGet(target.getBytes(StandardCharsets.US_ASCII));
    }

    /** Decoded as a form body is: what is not UTF-8 or not a whole escape is refused, not made U+FFFD. */
    @Test
    void queryStringsDecodeLikeBodiesAndMalformedOnesAreRefused() throws Exception {
        assertEquals("a b\u00e9", rawGet("/p?val=a+b%C3%A9")[1]);
        assertEquals("\u00e9", rawGet("/p?val=\u00e9".getBytes(StandardCharsets.UTF_8))[1], "raw UTF-8");
        assertEquals("x", rawGet("/p?other=1&val=x&val=y")[1]);
        assertEquals("null", rawGet("/p?other=1")[1]);
        for (String query : new String[]{"val=%zz", "val=abc%", "val=%ff", "val=%C3%28", manyFields(101)}) {
            String[] reply = rawGet("/p?" + query);
            assertEquals("400", reply[0], query);
            assertTrue(reply[1].startsWith("malformed query string"), query + ": " + reply[1]);
        }
        assertEquals("malformed query string: a field is not UTF-8", rawGet("/p?val=%ff")[1]);
    }

    @Test
    void chunkedAndMultipartBodies() throws Exception {
        byte[] body = "val=chunked".getBytes(StandardCharsets.UTF_8);
        assertEquals("chunked", send("PUT", "", "application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).body());
        String multipart = "--b\r\nContent-Disposition: form-data; name=\"val\"\r\n\r\nparted\r\n--b--\r\n";
        assertEquals("parted", send("PUT", "", "multipart/form-data; boundary=b",
                HttpRequest.BodyPublishers.ofString(multipart)).body());
    }

    @Test
    void malformedAndOversizedBodiesAreTheClientsError() throws Exception {
        assertEquals(400, form("PUT", "val=%zz").statusCode());
        assertEquals(400, send("PUT", "", "multipart/form-data; boundary=b",
                HttpRequest.BodyPublishers.ofString("garbage")).statusCode());
        String big = "val=" + "x".repeat((int) HttpApi.MAX_BODY_BYTES);
        assertEquals(413, form("PUT", big).statusCode());
        byte[] bigChunked = big.getBytes(StandardCharsets.UTF_8);
        assertEquals(413, send("PUT", "", "application/x-www-form-urlencoded",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bigChunked))).statusCode());
    }
}
