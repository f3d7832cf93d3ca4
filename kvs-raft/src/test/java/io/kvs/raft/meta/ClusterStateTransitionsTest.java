package io.kvs.raft.meta;

import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.View;
import io.kvs.core.view.ViewChange;
import io.kvs.core.view.ViewPlanner;
import io.kvs.raft.meta.ViewChangeProgress.Phase;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each metadata command is a compare-and-set: it changes the state only if its precondition holds. */
class ClusterStateTransitionsTest {
    private static final NodeAddress A = NodeAddress.parse("10.0.0.1:8080");
    private static final NodeAddress B = NodeAddress.parse("10.0.0.2:8080");
    private static final NodeAddress C = NodeAddress.parse("10.0.0.3:8080");
    private static final View VIEW = View.initial(List.of(A, B), 1);
    private static final ClusterState INITIAL = new ClusterState("cluster", "tag", VIEW, null, "a2V5a2V5a2V5a2V5a2V5a2V5");
    private static final View TARGET = ViewPlanner.add(VIEW, C).after();

    private static ViewChangeProgress change(NodeAddress coordinator) {
        return new ViewChangeProgress(ViewChange.Type.ADD, C, VIEW, TARGET, Phase.PREPARING, coordinator, 1, Map.of());
    }

    private static ClusterState apply(ClusterState state, MetaCommand command) {
        return ClusterStateTransitions.apply(state, command);
    }

    @Test
    void theFirstInitWinsAndLaterOnesChangeNothing() {
        ClusterState first = apply(null, new MetaCommand.Init(INITIAL));
        assertEquals(INITIAL, first);
        ClusterState other = new ClusterState("cluster", "other-tag", VIEW, null, null);
        assertSame(first, apply(first, new MetaCommand.Init(other)));
        assertNull(apply(null, new MetaCommand.FinishChange(2)), "nothing applies before Init");
    }

    @Test
    void aChangeBeginsOnlyFromTheViewItWasPlannedOnAndOneAtATime() {
        ClusterState begun = apply(INITIAL, new MetaCommand.BeginChange(1, change(A)));
        assertEquals(change(A), begun.change());
        assertSame(begun, apply(begun, new MetaCommand.BeginChange(1, change(B))), "one change at a time");
        assertSame(INITIAL, apply(INITIAL, new MetaCommand.BeginChange(0, change(A))), "planned on an old view");
    }

    @Test
    void phasesMoveForwardAndTheCommitSwitchesTheView() {
        ClusterState begun = apply(INITIAL, new MetaCommand.BeginChange(1, change(A)));
        ClusterState ready = apply(begun, new MetaCommand.AdvanceChange(2, Phase.GROUPS_READY, TARGET, Map.of(), A, 2));
        assertEquals(Phase.GROUPS_READY, ready.change().phase());
        assertSame(ready, apply(ready, new MetaCommand.AdvanceChange(2, Phase.PREPARING, TARGET, Map.of(), A, 3)),
                "no step back");
        assertSame(ready, apply(ready, new MetaCommand.CommitChange(2, A, 3)), "no commit before the data moved");
        ClusterState moved = apply(ready, new MetaCommand.AdvanceChange(2, Phase.DATA_MOVED, TARGET, Map.of(), A, 4));
        ClusterState committed = apply(moved, new MetaCommand.CommitChange(2, A, 5));
        assertEquals(TARGET, committed.view());
        assertEquals(Phase.COMMITTED, committed.change().phase());
        assertSame(committed, apply(committed, new MetaCommand.AbortChange(2, A)), "a committed change is not undone");
        assertNull(apply(committed, new MetaCommand.FinishChange(2)).change());
    }

    @Test
    void anAbortTakesEffectOnlyForTheCoordinatorDrivingTheChange() {
        ClusterState begun = apply(INITIAL, new MetaCommand.BeginChange(1, change(A)));
        assertSame(begun, apply(begun, new MetaCommand.AbortChange(2, B)), "B does not drive it");
        assertSame(begun, apply(begun, new MetaCommand.AbortChange(3, A)), "another change's abort");
        assertNull(apply(begun, new MetaCommand.AbortChange(2, A)).change());
        assertNull(apply(begun, new MetaCommand.AbortChange(2, null)).change(), "an abort of the earlier form");

        ClusterState takenOver = apply(begun, new MetaCommand.TakeOver(2, B, 9));
        assertEquals(B, takenOver.change().coordinator());
        assertSame(takenOver, apply(takenOver, new MetaCommand.AbortChange(2, A)), "A no longer drives it");
    }

    @Test
    void aPayloadKeyIsSetOnlyWhereNoneIs() {
        ClusterState keyless = new ClusterState("cluster", "tag", VIEW, null, null);
        String key = "bmV3a2V5bmV3a2V5bmV3a2V5";
        assertEquals(key, apply(keyless, new MetaCommand.SetPayloadKey(key)).payloadKey());
        assertSame(INITIAL, apply(INITIAL, new MetaCommand.SetPayloadKey(key)), "a key, once set, stays");
    }

    /** The state as the metadata group stores it, and one written before payload keys existed. */
    @Test
    void clusterStatesRoundTripAsJson() {
        ClusterState begun = apply(INITIAL, new MetaCommand.BeginChange(1, change(A)));
        assertEquals(begun, MetaJson.decodeState(MetaJson.encode(begun)));
        String earlier = MetaJson.encode(INITIAL).replace(",\"payloadKey\":\"a2V5a2V5a2V5a2V5a2V5a2V5\"", "");
        assertNull(MetaJson.decodeState(earlier).payloadKey(), earlier);
        for (MetaCommand command : List.of(new MetaCommand.Init(INITIAL), new MetaCommand.BeginChange(1, change(A)),
                new MetaCommand.AbortChange(2, A), new MetaCommand.SetPayloadKey("bmV3a2V5bmV3a2V5bmV3a2V5"),
                new MetaCommand.TakeOver(2, B, 3), new MetaCommand.CommitChange(2, A, 4), new MetaCommand.FinishChange(2))) {
            assertEquals(command, MetaJson.decodeCommand(MetaJson.encode(command)));
        }
    }

    /** What the first version wrote (no format field, the tag its class's name) is read; a later format is refused. */
    @Test
    void metadataJsonOfTheFirstVersionIsReadAndALaterFormatRefused() {
        MetaCommand command = new MetaCommand.AbortChange(2, A);
        String current = MetaJson.encode(command);
        assertTrue(current.startsWith("{\"v\":1,\"type\":\"AbortChange\""), current);
        String first = current.replace("\"v\":1,", "");
        assertEquals(command, MetaJson.decodeCommand(first));
        assertEquals(INITIAL, MetaJson.decodeState(MetaJson.encode(INITIAL).replace(",\"v\":1", "")));

        IllegalArgumentException later = assertThrows(IllegalArgumentException.class,
                () -> MetaJson.decodeCommand(current.replace("\"v\":1", "\"v\":2")));
        assertTrue(later.getMessage().contains("format 2"), later.getMessage());
        String laterState = MetaJson.encode(INITIAL).replace("\"v\":1", "\"v\":3");
        assertThrows(IllegalArgumentException.class, () -> MetaJson.decodeState(laterState));
    }
}
