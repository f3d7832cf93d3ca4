package io.kvs.http.gateway;

/** An acknowledged write: the owner partition, whether the key was new, and what to tell the client. */
public record KeyWrite(boolean created, int partitionId, String causalPayload, String timestamp) {
}
