package io.kvs.raft.migration;

import io.kvs.core.key.KeySlots;
import io.kvs.core.view.NodeAddress;
import io.kvs.core.view.Partition;
import io.kvs.core.view.View;
import io.kvs.core.view.ViewChange;
import io.kvs.core.view.ViewPlanner;
import io.kvs.raft.client.LeaderRelay;
import io.kvs.raft.engine.StoreEngine;
import io.kvs.raft.engine.StoreSettings;
import io.kvs.raft.hint.HintPage;
import io.kvs.raft.meta.ClusterState;
import io.kvs.raft.meta.MetaCommand;
import io.kvs.raft.meta.ViewChangeProgress;
import io.kvs.raft.partition.ExportPage;
import io.kvs.raft.partition.Outcome;
import io.kvs.raft.partition.PartitionCommand;
import io.kvs.raft.partition.PartitionQuery;
import io.kvs.raft.partition.ReadReply;
import io.kvs.raft.server.RaftPeers;
import io.kvs.raft.server.TestAddresses;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A view change whose coordinator is gone is taken over and finished by another node: two nodes
 * in this JVM (a one-node cluster and a node waiting to be added), a change to add the second one
 * recorded as coordinated by a third node that never answers, and the first node's coordinator
 * finding it stalled. The nodes reach each other through a {@link PeerNodes} that calls their
 * engines directly, and that notes whom it was asked about.
 */
class CoordinatorTakeOverTest {

    /** Peers as in-process engines; a node without an engine does not answer. */
    private static final class InProcessPeers implements PeerNodes {
        final Map<NodeAddress, StoreEngine> engines = new ConcurrentHashMap<>();
        final Set<NodeAddress> askedAbout = ConcurrentHashMap.newKeySet();

        private StoreEngine engine(NodeAddress node) throws IOException {
            askedAbout.add(node);
            StoreEngine engine = engines.get(node);
            if (engine == null) {
                throw new IOException(node + " does not answer");
            }
            return engine;
        }

        @Override
        public void join(NodeAddress node, String clusterId, List<NodeAddress> metadataMembers) throws IOException {
            engine(node).join(clusterId, metadataMembers);
        }

        @Override
        public NodeStatus status(NodeAddress node) throws IOException {
            return new NodeStatus(engine(node).state().map(s -> s.view().epoch()).orElse(-1L), false);
        }

        @Override
        public void leave(NodeAddress node) throws IOException {
            try {
                engine(node).leaveIfRemoved();
            } catch (Exception e) {
                throw new IOException(e);
            }
        }

        @Override
        public ExportPage exportReplica(NodeAddress node, int groupSerial, PartitionQuery.Export query)
                throws IOException {
            return engine(node).replica(groupSerial).export(query);
        }

        @Override
        public HintPage sealHints(NodeAddress node, int groupSerial, BitSet slots, long untilEpoch, long afterId)
                throws IOException {
            return engine(node).replica(groupSerial).sealHints(slots, untilEpoch, afterId, 1 << 20);
        }

        @Override
        public void fence(NodeAddress node, int groupSerial, long untilEpoch) throws IOException {
            engine(node).replica(groupSerial).fence(untilEpoch);
        }
    }

    @Test
    void aStalledChangeIsTakenOverAndFinished(@TempDir Path dir) throws Exception {
        List<NodeAddress> addresses = TestAddresses.next(3);
        NodeAddress first = addresses.get(0);
        NodeAddress added = addresses.get(1);
        NodeAddress gone = addresses.get(2); // the coordinator that began the change and vanished
        InProcessPeers peers = new InProcessPeers();
        try (StoreEngine a = engine(dir, first, Optional.of(List.of(first)));
             StoreEngine b = engine(dir, added, Optional.empty())) {
            peers.engines.put(first, a);
            peers.engines.put(added, b);
            Awaitility.await("the one-node cluster to serve").atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .until(() -> a.partition(a.requireState().view().partition(0))
                            .put(new PartitionCommand.Put(0, "probe", "v")).get(5, TimeUnit.SECONDS) != null);
            View before = a.requireState().view();
            List<String> keys = List.of("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta");
            for (String key : keys) {
                assertEquals(Outcome.CREATED, a.partition(before.partition(0))
                        .put(new PartitionCommand.Put(KeySlots.slotOf(key), key, "v-" + key)).get(10, TimeUnit.SECONDS)
                        .status());
            }

            View target = ViewPlanner.add(before, added).after();
            ViewChangeProgress stalled = new ViewChangeProgress(ViewChange.Type.ADD, added, before, target,
                    ViewChangeProgress.Phase.PREPARING, gone, System.currentTimeMillis() - 60_000, Map.of());
            ClusterState begun = a.metadata().propose(a.peers().group(RaftPeers.metadataGroup(a.requireState()
                    .clusterId()), List.of(first)), new MetaCommand.BeginChange(before.epoch(), stalled))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(gone, begun.change().coordinator());

            new ViewChangeCoordinator(a, peers).resumeStalled();

            assertTrue(peers.askedAbout.contains(gone), "the stalled coordinator was asked whether it still drives the change");
            ClusterState after = a.readState().get(10, TimeUnit.SECONDS);
            assertNull(after.change(), "the change is finished");
            assertEquals(target.epoch(), after.view().epoch());
            assertEquals(List.of(first, added), after.view().nodes());
            assertEquals(2, after.view().partitionCount(), "the added node made a second partition");
            for (String key : keys) {
                Partition owner = after.view().ownerOfKey(key);
                ReadReply read = a.partition(owner).read(new PartitionQuery.Get(KeySlots.slotOf(key), key, Map.of()))
                        .get(10, TimeUnit.SECONDS);
                assertEquals("v-" + key, read.value() == null ? null : read.value().value(),
                        key + " in partition " + owner.id() + " after the move");
            }
        }
    }

    private static StoreEngine engine(Path dir, NodeAddress self, Optional<List<NodeAddress>> view)
            throws IOException {
        return new StoreEngine(new StoreSettings(self, self.host(), dir.resolve(self.host()),
                new RaftPeers(RaftPeers.DEFAULT_PORT_OFFSET), view.map(v -> 1), view, Optional.empty(), 0, 16L << 20,
                java.time.Duration.ofHours(1), () -> false), LeaderRelay.NONE);
    }
}
