package io.kvs.http.gateway;

/** A read value with the owner partition and what to tell the client. */
public record KeyRead(String value, int partitionId, String causalPayload, String timestamp) {
}
