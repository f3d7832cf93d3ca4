package io.kvs.raft.migration;

import io.kvs.core.error.ErrorCode;
import io.kvs.core.error.KvsException;
import io.kvs.core.view.View;
import io.kvs.raft.client.MetadataClient;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.MetaCommand;
import io.kvs.raft.meta.ViewChangeProgress;
import io.kvs.raft.meta.ViewChangeProgress.Phase;
import io.kvs.raft.meta.ViewChangeProgress.Rebuild;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Records a view change's steps in the metadata group and reads the cluster state back, each
 * with a bounded retry. Every step names the coordinator that takes it, so a step by a
 * coordinator another node has taken the change over from is not applied, and the coordinator
 * learns it.
 */
final class ChangeRecorder {
    private static final long META_SECONDS = 10;

    private final MetadataClient metadata;

    ChangeRecorder(MetadataClient metadata) {
        this.metadata = metadata;
    }

    ClusterState propose(ChangeContext context, MetaCommand command) throws IOException {
        return BoundedRetry.await(() -> metadata.propose(context.metadata(), command).get(META_SECONDS, TimeUnit.SECONDS),
                "metadata " + command.getClass().getSimpleName());
    }

    ClusterState read(ChangeContext context) throws IOException {
        return BoundedRetry.await(() -> metadata.read(context.metadata()).get(META_SECONDS, TimeUnit.SECONDS),
                "read cluster state");
    }

    /** Records that {@code change} reached {@code phase} with this target; the change as it then stands (see {@link #ours}). */
    ViewChangeProgress advance(ChangeContext context, ViewChangeProgress change, Phase phase, View target,
                               Map<Integer, Rebuild> rebuilds) throws IOException {
        MetaCommand.AdvanceChange step = new MetaCommand.AdvanceChange(change.target().epoch(), phase, target, rebuilds,
                context.self(), System.currentTimeMillis());
        return ours(context, propose(context, step), change.target().epoch());
    }

    /**
     * The change as it stands in {@code state}: still driven by this coordinator, or null when it
     * is already finished; a 409 if another coordinator has taken it over meanwhile.
     */
    static ViewChangeProgress ours(ChangeContext context, ClusterState state, long targetEpoch) {
        ViewChangeProgress change = state.change();
        if (change != null && change.target().epoch() == targetEpoch && change.coordinator().equals(context.self())) {
            return change;
        }
        if (change == null && state.view().epoch() >= targetEpoch) {
            return null;
        }
        throw new KvsException(ErrorCode.VIEW_CHANGE_IN_PROGRESS, "the view change was taken over by another node");
    }
}
