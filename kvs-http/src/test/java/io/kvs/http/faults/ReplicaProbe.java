package io.kvs.http.faults;

import com.google.gson.Gson;
import io.kvs.core.key.KeySlots;
import io.kvs.core.view.NodeAddress;
import io.kvs.http.peer.InternalMessages;
import io.kvs.http.peer.ReplicaAnswers;
import io.kvs.raft.engine.LocalReplicas;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Asks one replica, on its own, through the internal API the degraded path uses. */
final class ReplicaProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private ReplicaProbe() {
    }

    /** The replica's value for {@code key} in group {@code group}, or null if it has none or does not answer. */
    static String value(NodeAddress replica, int group, String key) {
        LocalReplicas.Answer answer = post(replica, "/internal/replica-read",
                new InternalMessages.ReplicaRequest(group, KeySlots.slotOf(key), key, null, 0, 0, Map.of(), "", 0));
        return answer == null || answer.value() == null ? null : answer.value().value();
    }

    /** Offers the replica a write to hold as a hint, to be refused after {@code notAfterMillis}; its answer's status. */
    static LocalReplicas.Status write(NodeAddress replica, int group, String key, String value, long notAfterMillis) {
        LocalReplicas.Answer answer = post(replica, "/internal/replica-write", new InternalMessages.ReplicaRequest(
                group, KeySlots.slotOf(key), key, value, 1, 0, Map.of(), "", notAfterMillis));
        return answer == null ? null : answer.status();
    }

    private static LocalReplicas.Answer post(NodeAddress replica, String path, InternalMessages.ReplicaRequest body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + replica + path))
                .timeout(Duration.ofSeconds(2))
                .POST(HttpRequest.BodyPublishers.ofString(new Gson().toJson(body)))
                .build();
        try {
            HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            return response.statusCode() == 200 ? ReplicaAnswers.decode(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
