package io.kvs.raft.partition;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a replica has been without a leader, as the requests that asked found it: timed from
 * the first request that found none since it last knew one. Ratis keeps the moment the leader
 * was lost, but reports it only while the replica is a candidate, and a replica whose peers
 * refuse connections (their processes are gone) goes back to follower after every election it
 * could not hold.
 */
final class LeaderAbsence {
    /** When a request first found no leader (System.nanoTime), since one was last known; 0 while one is. */
    private final AtomicLong noLeaderSeenAt = new AtomicLong();

    /** The replica learned of a new leader, or lost its leader: the next request looks again. */
    void leaderChanged() {
        noLeaderSeenAt.set(0);
    }

    /** How long the replica has been without a leader; {@code leaderKnown} is whether it knows one now. */
    Duration lasting(boolean leaderKnown) {
        if (leaderKnown) {
            if (noLeaderSeenAt.get() != 0) { // every request asks: no write to share while a leader is known
                noLeaderSeenAt.set(0);
            }
            return Duration.ZERO;
        }
        long now = System.nanoTime();
        long since = noLeaderSeenAt.updateAndGet(at -> at == 0 ? now : at);
        return Duration.ofNanos(now - since);
    }
}
