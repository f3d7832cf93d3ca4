package io.kvs.raft.engine;

/**
 * What this node's replica of one Raft group shows, for an operator.
 *
 * @param group         the group's serial number (-1 for the metadata group)
 * @param partition     the partition the group serves in this node's view, -1 if none (the
 *                      metadata group, or a group the view no longer names)
 * @param leader        whether this replica leads the group
 * @param leaderKnown   whether this replica knows a leader (itself or another)
 * @param term          the replica's current term: it rises with every election
 * @param commitIndex   the highest log index it knows committed
 * @param appliedIndex  the highest log index it applied
 * @param keys          the keys its state holds (0 for the metadata group)
 * @param hintsPending  the writes this node accepted for the group as hints, not yet applied by it
 */
public record GroupStatus(int group, int partition, boolean leader, boolean leaderKnown, long term, long commitIndex,
                          long appliedIndex, long keys, int hintsPending) {
}
