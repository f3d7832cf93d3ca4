package io.kvs.http.peer;

import java.util.List;

/** Bodies of the internal node-to-node requests, as JSON. */
public final class InternalMessages {
    private InternalMessages() {
    }

    /** Join cluster {@code clusterId}: host its metadata group with these members. */
    public record Join(String clusterId, List<String> members) {
    }

    /** A page of the receiver's own replica of a group: slots as a base64 bit set, from (slot, key). */
    public record ExportReplica(int group, String slots, int fromSlot, String fromKey, int maxBytes) {
    }
}
