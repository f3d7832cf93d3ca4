package io.kvs.raft.partition;

import java.io.IOException;

/**
 * What a partition answers to a request, through its group or from one replica alone (without a
 * majority). Each has a fixed code on the wire; a code not listed is a malformed message.
 */
public enum Outcome {
    /** A read found the key. */
    FOUND(1),
    /** A read found no value for the key (it never had one, or it was deleted); a delete found nothing to delete. */
    NOT_FOUND(2),
    /** A write stored the key's first value. */
    CREATED(3),
    /** A write replaced the key's value, or a command was applied. */
    UPDATED(4),
    /** The key's slot is being moved by a view change: ask again once the new view is committed. */
    MOVING(5),
    /** The group (or replica) no longer owns the key's slot: route by a newer view. */
    WRONG_OWNER(6),
    /** The replica has not applied everything the client has seen: ask another, or later. */
    NOT_CAUGHT_UP(7),
    /** The write came after its sender's deadline and was not taken: the sender has moved on. */
    LATE(8),
    /** The node holds no replica of the group. */
    NO_REPLICA(9),
    /** The node's disk has no room for more data (see {@code DiskSpace}). */
    NO_SPACE(10),
    /** The replica holds as many writes accepted without a majority as its memory allows: ask another, or later. */
    BUSY(11);

    private final byte code;

    Outcome(int code) {
        this.code = (byte) code;
    }

    public byte code() {
        return code;
    }

    public static Outcome ofCode(byte code) throws IOException {
        for (Outcome outcome : values()) {
            if (outcome.code == code) {
                return outcome;
            }
        }
        throw new IOException("unknown outcome code " + code);
    }

    /** Whether a replica's answer is final for the client: anything else sends the gateway to another replica. */
    public boolean isFinal() {
        return this == FOUND || this == NOT_FOUND || this == CREATED || this == UPDATED;
    }
}
