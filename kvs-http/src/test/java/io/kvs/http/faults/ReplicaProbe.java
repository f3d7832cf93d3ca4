package io.kvs.http.faults;

import io.kvs.raft.partition.Outcome;
import com.google.gson.Gson;
import io.kvs.core.key.KeySlots;
import io.kvs.core.view.NodeAddress;
import io.kvs.http.peer.InternalMessages;
import io.kvs.http.peer.ReplicaAnswers;
import io.kvs.raft.engine.LocalReplica;

import io.kvs.http.peer.InternalApi;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

/** Asks one replica, on its own, through the internal API the degraded path uses. */
final class ReplicaProbe {
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(2)).build();

    private ReplicaProbe() {
    }

    /** The replica's value for {@code key} in group {@code group}, or null if it has none or does not answer. */
    static String value(InternalApi api, NodeAddress replica, int group, String key) {
        LocalReplica.Answer answer = post(api, replica, "/internal/degraded-read",
                new InternalMessages.DegradedRequest(group, KeySlots.slotOf(key), key, null, false, 0, 0, Map.of(), "", 0));
        return answer == null || answer.value() == null ? null : answer.value().value();
    }

    /** Whether the replica answers that it holds no value for {@code key} (a replica that does not answer has not). */
    static boolean answersNoValue(InternalApi api, NodeAddress replica, int group, String key) {
        LocalReplica.Answer answer = post(api, replica, "/internal/degraded-read",
                new InternalMessages.DegradedRequest(group, KeySlots.slotOf(key), key, null, false, 0, 0, Map.of(), "", 0));
        return answer != null && answer.status() == Outcome.NOT_FOUND;
    }

    /** Offers the replica a write to hold as a hint, to be refused after {@code notAfterMillis}; its answer's status. */
    static Outcome write(InternalApi api, NodeAddress replica, int group, String key, String value,
                                      long notAfterMillis) {
        LocalReplica.Answer answer = post(api, replica, "/internal/degraded-write", new InternalMessages.DegradedRequest(
                group, KeySlots.slotOf(key), key, value, false, 1, 0, Map.of(), "", notAfterMillis));
        return answer == null ? null : answer.status();
    }

    private static LocalReplica.Answer post(InternalApi api, NodeAddress replica, String path,
                                             InternalMessages.DegradedRequest body) {
        OkHttpClient http = HTTP.newBuilder().addInterceptor(api.signer()).build();
        Request request = new Request.Builder().url(api.url(replica, path))
                .post(RequestBody.create(new Gson().toJson(body), MediaType.get("application/json"))).build();
        try (Response response = http.newCall(request).execute()) {
            return response.code() == 200 ? ReplicaAnswers.decode(response.body().bytes()) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
