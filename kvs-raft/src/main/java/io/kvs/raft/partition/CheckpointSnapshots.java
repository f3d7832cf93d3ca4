package io.kvs.raft.partition;

import io.kvs.raft.server.RaftTuning;
import io.kvs.raft.storage.DurableFiles;
import io.kvs.raft.storage.ReplicaDb;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A partition replica's snapshots: checkpoints of its store, each a directory
 * {@code checkpoint.<term>_<index>} in the group's state machine directory. Ratis sends a
 * snapshot's files to a follower that needs it and, once all have arrived, swaps that directory
 * for the one received; the follower's store then takes the checkpoint's content.
 *
 * <p>A snapshot file of the earlier in-memory store ({@code snapshot.<term>_<index>}, one file)
 * is recognised too, so that a replica written by an earlier version is imported.
 */
final class CheckpointSnapshots implements StateMachineStorage {
    private static final Pattern CHECKPOINT = Pattern.compile("checkpoint\\.(\\d+)_(\\d+)");
    private static final Pattern LEGACY = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
    private static final String PARTIAL = ".partial";
    /** Newer first by index; at the same index a checkpoint before a legacy file it was made from. */
    private static final Comparator<Snapshot> AGE = Comparator.comparing(Snapshot::termIndex)
            .thenComparing(snapshot -> !snapshot.legacy());

    /** A snapshot in the state machine directory: a checkpoint directory, or a legacy snapshot file. */
    record Snapshot(Path path, TermIndex termIndex, boolean legacy) {
    }

    private static final SnapshotRetentionPolicy RETAINED = new SnapshotRetentionPolicy() {
        @Override
        public int getNumSnapshotsRetained() {
            return RaftTuning.SNAPSHOTS_RETAINED;
        }
    };

    private Path dir;
    private volatile FileListSnapshotInfo latest;

    @Override
    public void init(RaftStorage storage) throws IOException {
        dir = storage.getStorageDir().getStateMachineDir().toPath();
        Files.createDirectories(dir);
        refresh();
    }

    /** The newest snapshot in the directory, if any. */
    Optional<Snapshot> newest() throws IOException {
        return all().stream().max(AGE);
    }

    /** Re-reads the directory: after a snapshot was installed into it. */
    void refresh() throws IOException {
        Optional<Snapshot> newest = newest();
        latest = newest.isEmpty() || newest.get().legacy() ? null : describe(newest.get());
    }

    /**
     * Writes a checkpoint of {@code store} at {@code at}, the index the store reflects: into a
     * partial directory first, renamed into place once complete, so a crash leaves no half
     * checkpoint under a checkpoint's name. The oldest beyond those retained are deleted.
     *
     * @return false if there was one of that index already
     */
    boolean take(PartitionStore store, TermIndex at) throws IOException {
        Path target = dir.resolve("checkpoint." + at.getTerm() + "_" + at.getIndex());
        if (Files.isDirectory(target)) {
            return false;
        }
        Path partial = dir.resolve(target.getFileName() + PARTIAL);
        DurableFiles.deleteTree(partial);
        store.checkpoint(partial);
        DurableFiles.forceDirectory(partial);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.forceDirectory(dir);
        latest = describe(new Snapshot(target, at, false));
        cleanupOldSnapshots(RETAINED);
        return true;
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        return latest;
    }

    @Override
    public void format() {
    }

    /** Keeps the newest checkpoints the policy retains (at least one); deletes the rest and any partial one. */
    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        int keep = Math.max(1, policy.getNumSnapshotsRetained());
        List<Snapshot> snapshots = new ArrayList<>(all());
        snapshots.sort(AGE.reversed());
        for (int i = keep; i < snapshots.size(); i++) {
            delete(snapshots.get(i).path());
        }
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path partial : entries.filter(p -> p.getFileName().toString().endsWith(PARTIAL)).toList()) {
                DurableFiles.deleteTree(partial);
            }
        }
    }

    private List<Snapshot> all() throws IOException {
        List<Snapshot> found = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                Matcher checkpoint = CHECKPOINT.matcher(name);
                Matcher legacy = LEGACY.matcher(name);
                if (checkpoint.matches() && Files.isDirectory(entry)) {
                    found.add(new Snapshot(entry, termIndex(checkpoint), false));
                } else if (legacy.matches() && Files.isRegularFile(entry)) {
                    found.add(new Snapshot(entry, termIndex(legacy), true));
                }
            }
        }
        return found;
    }

    private static TermIndex termIndex(Matcher name) {
        return TermIndex.valueOf(Long.parseLong(name.group(1)), Long.parseLong(name.group(2)));
    }

    /**
     * What Ratis sends of a checkpoint: its files by absolute path, without digests (Ratis
     * computes each file's digest as it sends it, and the follower checks it).
     */
    private static FileListSnapshotInfo describe(Snapshot snapshot) throws IOException {
        List<FileInfo> files = new ArrayList<>();
        try (Stream<Path> entries = Files.list(snapshot.path())) {
            for (Path file : entries.filter(Files::isRegularFile).sorted().toList()) {
                if (!file.getFileName().toString().endsWith(".md5")) {
                    files.add(new FileInfo(file.toAbsolutePath(), null));
                }
            }
        }
        return new FileListSnapshotInfo(files, snapshot.termIndex());
    }

    private static void delete(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            DurableFiles.deleteTree(path);
        } else {
            Files.deleteIfExists(path);
            Files.deleteIfExists(path.resolveSibling(path.getFileName() + ".md5"));
        }
    }
}
