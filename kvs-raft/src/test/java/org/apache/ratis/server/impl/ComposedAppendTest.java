package org.apache.ratis.server.impl;

import io.kvs.raft.server.RaftTuning;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.LogProtoUtils;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Why kvs turns off Ratis' composed follower appends ({@code RaftTuning.server}): a request
 * whose first index is that of an append still in progress is not written, although it holds
 * further entries, and the follower acknowledges them all. This lives in Ratis' package to reach
 * the package-private class that decides it; should a Ratis upgrade fix it, the first test fails,
 * and the setting can go.
 */
class ComposedAppendTest {
    private static LogEntryProto entry(long term, long index) {
        return LogProtoUtils.toLogEntryProto(0, term, index);
    }

    @Test
    void aLongerRequestStartingWhereAnAppendIsInProgressIsNotWritten() throws Exception {
        ServerImplUtils.NavigableIndices follower = new ServerImplUtils.NavigableIndices();
        List<List<LogEntryProto>> written = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> slowDisk = new CompletableFuture<>();

        follower.append(List.of(entry(3, 0)), entries -> {
            written.add(entries);
            return slowDisk;
        });
        CompletableFuture<Void> acknowledged = follower.append(List.of(entry(3, 0), entry(4, 1)), entries -> {
            written.add(entries);
            return CompletableFuture.completedFuture(null);
        });
        slowDisk.complete(null);
        // The follower acknowledges the request once this completes: entries 0 and 1 as written.
        acknowledged.get(10, TimeUnit.SECONDS);

        assertEquals(List.of(List.of(entry(3, 0))), written, "entry 1 was never handed to the log");
    }

    @Test
    void kvsServersAppendWithoutComposing() {
        assertFalse(RaftServerConfigKeys.Log.appendEntriesComposeEnabled(
                RaftTuning.server(Path.of("unused"), "127.0.0.1", 0)));
    }
}
