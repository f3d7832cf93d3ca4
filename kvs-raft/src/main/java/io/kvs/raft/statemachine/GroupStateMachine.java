package io.kvs.raft.statemachine;

import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What every state machine of the node shares, whatever keeps its state: the pause Ratis needs
 * before it installs a snapshot, what happens when the replica's log fails, and the counts an
 * operator watches.
 */
public abstract class GroupStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(GroupStateMachine.class);

    private final AtomicLong leaderChanges = new AtomicLong();
    private final AtomicLong snapshotsInstalled = new AtomicLong();
    /** Told when this replica's Raft log could not be written (a full disk); it takes no entry until restarted. */
    private volatile Consumer<RaftGroupId> onLogFailed = id -> { };

    /**
     * Before a follower installs a snapshot from its leader, Ratis pauses the state machine and
     * then reloads it ({@link #reinitialize}), asserting that it is PAUSED: the base class's
     * pause does not change its state, so every snapshot install would fail the group. An
     * install tried again after a failed one finds it paused already.
     */
    @Override
    public void pause() {
        if (getLifeCycle().compareAndTransition(LifeCycle.State.RUNNING, LifeCycle.State.PAUSING)) {
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** To be called by a subclass's reinitialize once it took an installed snapshot's state. */
    protected void snapshotInstalled() {
        snapshotsInstalled.incrementAndGet();
    }

    @Override
    public void notifyLeaderChanged(RaftGroupMemberId member, RaftPeerId newLeader) {
        leaderChanges.incrementAndGet();
    }

    /** How often this replica saw its group's leader change (elections, and a leader lost) since it started. */
    public long leaderChanges() {
        return leaderChanges.get();
    }

    /** How many snapshots a leader installed on this replica since it started. */
    public long snapshotsInstalled() {
        return snapshotsInstalled.get();
    }

    /** Whom to tell when this replica's log fails (Ratis stops writing it for good; see {@link #notifyLogFailed}). */
    public void onLogFailed(Consumer<RaftGroupId> listener) {
        this.onLogFailed = listener;
    }

    /**
     * Ratis' log worker failed to write (or fsync) an entry, most likely on a full disk: it
     * fails every later write of this replica, and does not recover when space returns. The
     * replica is restarted from its storage once there is room again.
     */
    @Override
    public void notifyLogFailed(Throwable cause, LogEntryProto failedEntry) {
        LOG.error("{}: the Raft log could not be written ({}); this replica takes no entries until it is restarted",
                getGroupId(), cause.toString());
        onLogFailed.accept(getGroupId());
    }
}
