package io.kvs.raft.engine;

import io.kvs.core.view.NodeAddress;
import io.kvs.raft.auth.ClusterSecret;
import io.kvs.raft.server.RaftPeers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What a node's {@link StoreEngine} is started with.
 *
 * @param self           this node's address, as the view names it
 * @param bindHost       where its Raft server listens
 * @param dataDir        where its groups, hints and cluster id are kept
 * @param peers          how nodes and groups are named in Raft
 * @param k              replicas per partition, if given
 * @param initialView    the nodes of the cluster to form at start, if given
 * @param secret         the cluster's secret, if set: Raft calls without its tokens are refused
 * @param diskReserveBytes the free space the node keeps on its data directory's disk: below it,
 *                       it takes no new data
 * @param storeMemoryBytes the memory its replicas' stores share (block cache and write buffers)
 * @param tombstoneGrace how long a deleted key's tombstone is kept after every replica has it:
 *                       the time a write accepted without a majority, older than the delete,
 *                       has to meet it
 * @param holdHintReplay while true, the node replays none of its hinted writes (a hook for tests)
 */
public record StoreSettings(NodeAddress self, String bindHost, Path dataDir, RaftPeers peers, Optional<Integer> k,
                            Optional<List<NodeAddress>> initialView, Optional<ClusterSecret> secret,
                            long diskReserveBytes, long storeMemoryBytes, Duration tombstoneGrace,
                            BooleanSupplier holdHintReplay) {
}
