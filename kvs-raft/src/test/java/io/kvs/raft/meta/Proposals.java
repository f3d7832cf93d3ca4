package io.kvs.raft.meta;

import io.kvs.raft.client.MetadataClient;
import org.apache.ratis.protocol.RaftGroup;
import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/** Proposing to a metadata group a test has just started. */
final class Proposals {
    private Proposals() {
    }

    /** Proposes until the new group has a leader to commit it (each command here applies once however often sent). */
    static ClusterState untilCommitted(RaftGroup group, MetaCommand command) {
        return Awaitility.await("the metadata group to commit " + command.getClass().getSimpleName())
                .atMost(Duration.ofSeconds(30)).pollInterval(Duration.ZERO).ignoreExceptions()
                .until(() -> new MetadataClient().propose(group, command).get(10, TimeUnit.SECONDS), Objects::nonNull);
    }
}
