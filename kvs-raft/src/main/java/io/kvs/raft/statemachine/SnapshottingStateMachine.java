package io.kvs.raft.statemachine;

import io.kvs.raft.server.RaftTuning;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kvs.raft.storage.DurableFiles;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;

/**
 * A state machine whose whole state is written to one snapshot file in the group's storage
 * directory, fsynced and checksummed, and read back when the group starts or when the leader
 * installs a snapshot on this follower.
 *
 * <p>Ratis calls {@link #takeSnapshot()} from the same thread that applies entries, so the state
 * written is exactly the state at the last applied index.
 */
public abstract class SnapshottingStateMachine extends GroupStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshottingStateMachine.class);

    private static final SnapshotRetentionPolicy RETENTION = new SnapshotRetentionPolicy() {
        @Override
        public int getNumSnapshotsRetained() {
            return RaftTuning.SNAPSHOTS_RETAINED;
        }
    };

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    /**
     * The latest snapshot, null if none. Ratis asks for it on every append and apply; the
     * storage would list the directory each time while no snapshot exists.
     */
    private volatile SingleFileSnapshotInfo latest;

    /** Writes the entire state. */
    protected abstract void writeState(DataOutputStream out) throws IOException;

    /** Replaces the entire state with one written by {@link #writeState}. */
    protected abstract void readState(DataInputStream in) throws IOException;

    /** Forgets the entire state, as before the first entry. */
    protected abstract void clearState();

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        getLifeCycle().startAndTransition(this::loadLatestSnapshot, IOException.class);
    }

    /** Takes the state of the snapshot just installed; Ratis applies the log from its index. */
    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().startAndTransition(this::loadLatestSnapshot, IOException.class);
        snapshotInstalled();
    }

    @Override
    public SimpleStateMachineStorage getStateMachineStorage() {
        return storage;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latest;
    }

    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0) {
            return -1;
        }
        File target = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        DurableFiles.replace(target.toPath(), out -> writeState(new DataOutputStream(out)));
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(target);
        latest = storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(target.toPath(), md5), last));
        LOG.info("{} snapshot at {} ({} bytes)", getGroupId(), last, target.length());
        return last.getIndex();
    }

    /**
     * Writes a snapshot now and deletes the older ones, as Ratis does after its own; for state a
     * replica must know when it restarts with no leader in reach, since Ratis does not log
     * commit indices ({@link RaftTuning}) and so applies nothing beyond the snapshot until a
     * leader says what is committed. Call it from the apply thread.
     */
    protected void snapshotNow() {
        try {
            takeSnapshot();
            storage.cleanupOldSnapshots(RETENTION);
        } catch (IOException e) {
            // The state is still in the log; a leader brings it back after a restart.
            LOG.warn("{} snapshot failed: {}", getGroupId(), e.toString());
        }
    }

    private void loadLatestSnapshot() throws IOException {
        SingleFileSnapshotInfo snapshot = storage.loadLatestSnapshot();
        latest = snapshot;
        if (snapshot == null) {
            clearState();
            return;
        }
        File file = snapshot.getFile().getPath().toFile();
        if (snapshot.getFile().getFileDigest() != null) {
            MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file.toPath()), 1 << 16))) {
            readState(in);
        }
        setLastAppliedTermIndex(snapshot.getTermIndex());
        LOG.info("{} loaded snapshot at {}", getGroupId(), snapshot.getTermIndex());
    }
}
