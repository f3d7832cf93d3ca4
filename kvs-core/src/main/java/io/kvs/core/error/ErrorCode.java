package io.kvs.core.error;

/**
 * Every error the store reports, with the HTTP status and default text of CONTRACT.md §3.
 *
 * <p>{@link #NOT_CAUGHT_UP} is internal: the gateway resolves it (tries another replica) and
 * answers a client with it only when that cannot help.
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
    /**
     * Neither the key's group nor a replica alone answered in time. Most often it passes with
     * time (an election, a restarted node, a cluster whose JVMs have only just started and
     * answer slowly), and a node cannot tell which from what it saw within the second.
     */
    UNAVAILABLE(503, "key value store is not available", 1),
    /**
     * The key's group commits, busy with other writes, but not this one within its second (it
     * queued behind the others, or behind hinted writes its client has seen): refused rather
     * than placed on a replica alone. Back-pressure: the client is told to try again in a second.
     */
    BUSY(503, "key value store is not available: the partition is busy, try again", 1),
    /** The node's disk has less room than its reserve: no new data until there is more. */
    INSUFFICIENT_STORAGE(507, "Insufficient storage: this node's disk is full"),
    NOT_IN_CLUSTER(503, "this node is not part of a cluster yet"),
    /** The replica has not yet applied what the client's causal payload shows it has seen. */
    NOT_CAUGHT_UP(503, "replica has not caught up with the causal payload", 1),
    INTERNAL(500, "internal error");

    private final int httpStatus;
    private final String defaultMessage;
    private final int retryAfterSeconds;

    ErrorCode(int httpStatus, String defaultMessage) {
        this(httpStatus, defaultMessage, 0);
    }

    ErrorCode(int httpStatus, String defaultMessage, int retryAfterSeconds) {
        this.httpStatus = httpStatus;
        this.defaultMessage = defaultMessage;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    /**
     * When a client should try again, in seconds (HTTP's {@code Retry-After}), for an error that
     * may pass with time alone; 0 for the others, where trying again soon tells nothing new (a
     * node waits to be added only until an operator adds it).
     */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
