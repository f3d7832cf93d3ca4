package io.kvs.raft.meta;

import io.kvs.raft.meta.ViewChangeProgress.Phase;

/**
 * How each metadata command changes the cluster state. Pure and deterministic, as every replica
 * of the metadata group applies it; a command whose precondition no longer holds leaves the
 * state as it is.
 */
final class ClusterStateTransitions {
    private ClusterStateTransitions() {
    }

    static ClusterState apply(ClusterState state, MetaCommand command) {
        if (command instanceof MetaCommand.Init init) {
            return state == null ? init.state() : state;
        }
        if (state == null) {
            return null;
        }
        if (command instanceof MetaCommand.SetPayloadKey set) {
            return state.payloadKey() == null ? state.withPayloadKey(set.key()) : state;
        }
        ViewChangeProgress change = state.change();
        if (command instanceof MetaCommand.BeginChange begin) {
            boolean free = change == null && state.view().epoch() == begin.fromEpoch()
                    && begin.change().target().epoch() == begin.fromEpoch() + 1;
            return free ? state.withChange(begin.change()) : state;
        }
        if (change == null) {
            return state;
        }
        long targetEpoch = change.target().epoch();
        if (command instanceof MetaCommand.AdvanceChange advance) {
            boolean forward = advance.targetEpoch() == targetEpoch && advance.target().epoch() == targetEpoch
                    && advance.phase().compareTo(change.phase()) >= 0 && advance.phase() != Phase.COMMITTED;
            return forward ? state.withChange(change.advance(advance.phase(), advance.target(), advance.rebuilds(),
                    advance.coordinator(), advance.at())) : state;
        }
        if (command instanceof MetaCommand.CommitChange commit) {
            if (commit.targetEpoch() != targetEpoch || change.phase() != Phase.DATA_MOVED) {
                return state;
            }
            return state.withView(change.target()).withChange(change.advance(Phase.COMMITTED, change.target(),
                    change.rebuilds(), commit.coordinator(), commit.at()));
        }
        if (command instanceof MetaCommand.FinishChange finish) {
            return finish.targetEpoch() == targetEpoch && change.isCommitted() ? state.withChange(null) : state;
        }
        if (command instanceof MetaCommand.AbortChange abort) {
            boolean driver = abort.coordinator() == null || abort.coordinator().equals(change.coordinator());
            return abort.targetEpoch() == targetEpoch && !change.isCommitted() && driver ? state.withChange(null) : state;
        }
        if (command instanceof MetaCommand.TakeOver takeOver) {
            return takeOver.targetEpoch() == targetEpoch
                    ? state.withChange(change.advance(change.phase(), change.target(), change.rebuilds(),
                    takeOver.coordinator(), takeOver.at()))
                    : state;
        }
        throw new IllegalStateException("unhandled metadata command " + command);
    }
}
