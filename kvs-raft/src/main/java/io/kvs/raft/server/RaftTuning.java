package io.kvs.raft.server;

import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every Ratis setting kvs changes from the defaults, in one place, with the reason.
 */
public final class RaftTuning {
    /** A single attempt of a client request; a dead or cut-off peer costs at most this. */
    public static final TimeDuration CLIENT_ATTEMPT_TIMEOUT = TimeDuration.valueOf(400, TimeUnit.MILLISECONDS);

    /** Attempts of one client request, and the pause between two ({@link #clientRetry()}). */
    private static final int CLIENT_ATTEMPTS = 12;
    private static final TimeDuration CLIENT_RETRY_SLEEP = TimeDuration.valueOf(50, TimeUnit.MILLISECONDS);

    /**
     * How long a replica keeps a client request's reply, to answer a retry of that request
     * without applying it twice: twice the longest a client keeps retrying (10.8 s).
     */
    static final TimeDuration RETRY_CACHE_EXPIRY = CLIENT_ATTEMPT_TIMEOUT.add(CLIENT_RETRY_SLEEP)
            .multiply(2L * CLIENT_ATTEMPTS);

    /** Snapshot files a group keeps; older ones are deleted. */
    public static final int SNAPSHOTS_RETAINED = 2;
    /** A partition replica's log beyond this asks for a snapshot, whatever its number of entries. */
    public static final long LOG_BYTES_BEFORE_SNAPSHOT = 64L << 20;

    private RaftTuning() {
    }

    public static RaftProperties server(Path storageDir, String host, int port) {
        RaftProperties p = new RaftProperties();
        RaftServerConfigKeys.setStorageDir(p, List.of(storageDir.toFile()));
        GrpcConfigKeys.Server.setHost(p, host);
        GrpcConfigKeys.Server.setPort(p, port);

        // Elections within half a second of a leader's death keep requests under the 1 s bound;
        // a floor of 250 ms tolerates GC pauses of several JVMs sharing two cores.
        RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(250, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(1, TimeUnit.SECONDS));
        // A new group's first election waits longer: nodes starting together on a loaded
        // machine answer slowly at first, and a leader that steps down straight after its
        // election leaves an uncommitted first entry behind.
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));
        RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, TimeDuration.valueOf(1000, TimeUnit.MILLISECONDS));
        // Ratis keeps a leader that stepped down out of elections for 10 s by default; in a
        // two-member group the other member often cannot win (its log is shorter), so the
        // group would have no leader for those 10 s.
        RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(p, TimeDuration.valueOf(500, TimeUnit.MILLISECONDS));

        // Reads through the leader are linearizable (ReadIndex); the lease saves the heartbeat
        // round while the leader's majority has answered recently.
        RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
        RaftServerConfigKeys.Read.setLeaderLeaseEnabled(p, true);
        RaftServerConfigKeys.Read.setTimeout(p, TimeDuration.valueOf(800, TimeUnit.MILLISECONDS));

        // Snapshots bound the log (and restart time); the log is purged up to the snapshot, and
        // a follower too far behind gets the snapshot instead of the log.
        RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
        RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, 200_000);
        RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, SNAPSHOTS_RETAINED);
        RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
        // Every snapshot purges: by default Ratis purges only once the snapshot is 1,024 entries
        // past the last purge, a gigabyte of 1 MiB values, so a log of large values outgrew
        // LOG_BYTES_BEFORE_SNAPSHOT and was snapshotted again every few entries.
        RaftServerConfigKeys.Log.setPurgeGap(p, 1);
        RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
        // A snapshot goes to a follower in chunks, each read into the leader's heap before it is
        // mapped from its file instead (MappedSnapshotChunks): by default 16 MiB each with eight
        // unanswered at once, 128 MiB, more than a small heap holds. And a leader notices a
        // follower that stopped answering (a new member whose log was not ready for the first
        // chunk) only after its request timeout (3 s) times the chunks it may have unanswered:
        // 24 s by default, beyond the staging timeout below, so the new member was given up
        // instead of sent the snapshot again. 4 MiB, one at a time.
        RaftServerConfigKeys.Log.Appender.setSnapshotChunkSizeMax(p, SizeInBytes.valueOf("4MB"));
        GrpcConfigKeys.Server.setInstallSnapshotRequestElementLimit(p, 1);

        // A member being added (a JVM that just started, or one behind by a snapshot) gets this
        // long to catch up before the membership change is given up; the default is a few
        // election timeouts, too short for a new node on a loaded machine.
        RaftServerConfigKeys.setStagingTimeout(p, TimeDuration.valueOf(15, TimeUnit.SECONDS));

        // The appender waits this long before sending entries, to batch them; at the default
        // (10 ms) it is most of a write's latency. Under load batches fill without waiting.
        RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.valueOf(0, TimeUnit.MILLISECONDS));

        // Values reach 1 MiB; the default 8 MiB write buffer per group holds several. Segments
        // are kept small so that purging after a snapshot frees space early, and so that the
        // open segment, whose entries Ratis keeps in memory, holds few (below).
        RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf("4MB"));
        RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf("1MB"));

        // By default the leader appends a metadata entry (the new commit index) after every
        // commit and replicates it: a second log write, fsync and round to the followers per
        // write. Without it (3 nodes K=3, after JIT warm-up) a write costs half the CPU and a
        // lone client's write commits in half the time. What it gave: a replica restarted with
        // no leader in reach knows only its snapshot, not its log beyond it; reads there may be
        // older (the causal payload still refuses any older than the client has seen), and the
        // metadata group snapshots every state it applies (MetadataStateMachine), so a node
        // always restarts knowing its view.
        RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
        // What the metadata entry also did: tell followers of each commit at once (the leader
        // now sends an empty append instead).
        RaftConfigKeys.Rpc.setType(p, new CommitPushingGrpc());
        // Ratis keeps the entries of six closed log segments in memory by default (up to
        // 100 MiB per group here), each copied by young collections and then promoted. Only
        // the open segment's entries stay in memory; a follower that needs older ones gets them
        // from the segment file. 3 nodes K=3, 64 writers: 80 to 95 MB live after a full
        // collection instead of 110 to 130 MB.
        RaftServerConfigKeys.Log.setSegmentCacheNumMax(p, 0);
        // A follower appends each request's entries to its log as the request arrives, rather
        // than chained behind the appends still in progress (Ratis' "compose", on by default).
        // Chained, a request whose first index is that of an append still in progress is taken
        // as written already, whatever entries it holds beyond it: they are never written, yet
        // acknowledged, so the leader counts the follower towards a majority for entries it
        // lacks, and the follower, asked for entries after ones it lacks, stays behind
        // (ComposedAppendTest shows it). A leader sends such a request whenever it resends from
        // an earlier index with appends in flight, as after the refused appends of a group's start.
        RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);
        // Ratis' default keeps replies for 60 s: under load a minute of writes' replies on every
        // replica, tens of megabytes of live heap for the collector to copy and mark.
        RaftServerConfigKeys.RetryCache.setExpiryTime(p, RETRY_CACHE_EXPIRY);
        // Memory for writes in flight stays small whatever the values' size. Ratis' defaults let
        // a leader take 64 MiB of requests per group and keep 128 append requests outstanding
        // per follower (each up to 4 MiB, in direct buffers): more than a small heap, and the
        // direct memory it allows, hold once values are 1 MiB.
        RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf("16MB"));
        GrpcConfigKeys.Server.setLeaderOutstandingAppendsMax(p, 8);
        return p;
    }

    public static RaftProperties client() {
        RaftProperties p = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(p, CLIENT_ATTEMPT_TIMEOUT);
        return p;
    }

    /**
     * Bounded: the Ratis default retries forever. Enough attempts to ride out one election
     * (about 500 ms); callers put their own deadline on top.
     */
    public static RetryPolicy clientRetry() {
        return RetryPolicies.retryUpToMaximumCountWithFixedSleep(CLIENT_ATTEMPTS, CLIENT_RETRY_SLEEP);
    }
}
