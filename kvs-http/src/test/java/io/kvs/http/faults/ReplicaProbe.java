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

/** Reads what one replica holds for a key, on its own (the internal API a degraded read uses). */
final class ReplicaProbe {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private ReplicaProbe() {
    }

    /** The replica's value for {@code key} in group {@code group}, or null if it has none or does not answer. */
    static String value(NodeAddress replica, int group, String key) {
        InternalMessages.ReplicaRequest read = new InternalMessages.ReplicaRequest(group, KeySlots.slotOf(key), key,
                null, 0, 0, Map.of(), "");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + replica + "/internal/replica-read"))
                .timeout(Duration.ofSeconds(2))
                .POST(HttpRequest.BodyPublishers.ofString(new Gson().toJson(read)))
                .build();
        try {
            HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
            LocalReplicas.Answer answer = ReplicaAnswers.decode(response.body());
            return answer.value() == null ? null : answer.value().value();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
