package io.kvs.http.peer;

import io.kvs.core.causal.CausalPayload;
import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.key.KeyRules;
import io.kvs.core.key.KeySlots;
import io.kvs.raft.engine.LocalReplica;

import java.util.List;
import java.util.Objects;

/** Bodies of the internal node-to-node requests, as JSON. */
public final class InternalMessages {
    private InternalMessages() {
    }

    /** Join cluster {@code clusterId}: host its metadata group with these members. */
    public record Join(String clusterId, List<String> members) {
        public Join {
            Objects.requireNonNull(clusterId, "clusterId");
            members = List.copyOf(members);
        }
    }

    /**
     * A read or write on the receiver's own replica of {@code group}, with what the client has
     * seen of the group ({@code appliedIndex}, {@code hints} by node); {@code value} is null for
     * a read and for a write that deletes the key ({@code delete}); {@code writeId} names a
     * write's client request.
     *
     * @param notAfterMillis wall-clock time after which the replica refuses a write (0: no limit),
     *                       because its sender has given up on it by then and may have placed
     *                       the write on another replica
     */
    public record DegradedRequest(int group, int slot, String key, String value, boolean delete, long writeId,
                                 long appliedIndex, java.util.Map<String, Long> hints, String deps,
                                 long notAfterMillis) {
        public DegradedRequest {
            KeyRules.requireValidKey(key);
            if (value != null) {
                KeyRules.requireValidValue(value);
            }
            if (delete && value != null) {
                throw new KvsException(ErrorCode.BAD_REQUEST, "a replica request both deletes and writes key " + key);
            }
            if (group < 0 || slot != KeySlots.slotOf(key)) {
                throw new KvsException(ErrorCode.BAD_REQUEST, "a replica request names group " + group + ", slot " + slot
                        + " for key " + key);
            }
        }

        /** The same request, to be refused as a write after {@code millis}. */
        public DegradedRequest notAfter(long millis) {
            return new DegradedRequest(group, slot, key, value, delete, writeId, appliedIndex, hints, deps, millis);
        }

        /** The request this message carries. */
        public LocalReplica.Request request() {
            return new LocalReplica.Request(slot, key, value, delete, writeId,
                    new LocalReplica.Seen(appliedIndex, hints == null ? java.util.Map.of() : hints),
                    deps == null ? CausalPayload.empty() : CausalPayload.fromCompactText(deps), notAfterMillis);
        }
    }

    /**
     * Seal the receiver's hints for some slots of a group (a base64 bit set) until it routes by
     * view {@code untilEpoch}, and send those it holds with ids above {@code afterId}.
     */
    public record SealHints(int group, String slots, long untilEpoch, long afterId) {
        public SealHints {
            Objects.requireNonNull(slots, "slots");
        }
    }

    /** Fence the receiver's replica of a group out of it until the receiver routes by view {@code untilEpoch}. */
    public record Fence(int group, long untilEpoch) {
    }

    /** A page of the receiver's own replica of a group: slots as a base64 bit set, from (slot, key). */
    public record ExportReplica(int group, String slots, int fromSlot, String fromKey, int maxBytes) {
        public ExportReplica {
            Objects.requireNonNull(slots, "slots");
            Objects.requireNonNull(fromKey, "fromKey");
        }
    }
}
