package io.kvs.core.error;

/**
 * Every error the store reports, with the HTTP status and default text of CONTRACT.md §3.
 *
 * <p>Internal codes ({@link #WRONG_OWNER}, {@link #KEY_MOVING}, {@link #NOT_CAUGHT_UP}) travel
 * between nodes; the gateway resolves them (refresh the view, retry, try another replica) and
 * only surfaces them to a client when retrying cannot help.
 */
public enum ErrorCode {
    KEY_NOT_FOUND(404, "Key does not exist"),
    KEY_INVALID(400, "Key not valid"),
    VALUE_MISSING(400, "No value provided"),
    VALUE_TOO_LARGE(413, "Object too large. Size limit is 1MB"),
    BAD_REQUEST(400, "bad request"),
    /** A request whose body did not arrive in time. */
    REQUEST_TIMEOUT(408, "the request body did not arrive in time"),
    NODE_NOT_IN_VIEW(404, "node is not in the view"),
    PARTITION_NOT_FOUND(404, "partition does not exist"),
    NOT_FOUND(404, "no such endpoint"),
    /** A node-to-node request without a valid token of the cluster secret. */
    FORBIDDEN(403, "forbidden"),
    VIEW_CHANGE_IN_PROGRESS(409, "another view change is in progress"),
    UNAVAILABLE(503, "key value store is not available"),
    NOT_IN_CLUSTER(503, "this node is not part of a cluster yet"),
    /** The group asked no longer owns the key's slot; carries the view epoch it knows. */
    WRONG_OWNER(503, "partition does not own the key"),
    /** The key's slot is being migrated; the write must wait for the new owner. */
    KEY_MOVING(503, "key is being moved to another partition"),
    /** The replica has not yet applied what the client's causal payload shows it has seen. */
    NOT_CAUGHT_UP(503, "replica has not caught up with the causal payload"),
    INTERNAL(500, "internal error");

    private final int httpStatus;
    private final String defaultMessage;

    ErrorCode(int httpStatus, String defaultMessage) {
        this.httpStatus = httpStatus;
        this.defaultMessage = defaultMessage;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String defaultMessage() {
        return defaultMessage;
    }
}
