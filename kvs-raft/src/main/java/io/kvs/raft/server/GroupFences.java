package io.kvs.raft.server;

import io.kvs.raft.storage.DurableFiles;
import org.apache.ratis.protocol.RaftGroupId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The groups this node's replicas take no part in until the view reaches a given epoch: a view
 * change that moves a group's data without freezing it in the group (it had no leader when asked)
 * fences the group's replicas first, so that nothing the copy misses can commit in the group
 * afterwards. A fenced replica appends nothing, votes for no one and, as leader, takes no command.
 *
 * <p>Kept in a file ({@code fences}) replaced whole with an fsync, so a fence outlives a crash:
 * a replica that restarts mid-move must not help the group commit a write the copy will not see.
 * Format: a first line {@code kvs-fences 1}, then one line per fence, {@code <group uuid> <epoch>}.
 */
public final class GroupFences {
    private static final Logger LOG = LoggerFactory.getLogger(GroupFences.class);
    static final String HEADER = "kvs-fences 1";

    private final Path file;
    /** Group to the view epoch from which it is no longer fenced. */
    private final Map<RaftGroupId, Long> fences = new ConcurrentHashMap<>();

    /** The fences recorded in {@code dataDir}; a file of another format is refused. */
    public GroupFences(Path dataDir) throws IOException {
        this.file = dataDir.resolve("fences");
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            throw new IOException(file + " is not a fence file of format 1 (first line: "
                    + (lines.isEmpty() ? "none" : lines.get(0)) + ")");
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] parts = line.trim().split(" ");
            try {
                fences.put(RaftGroupId.valueOf(UUID.fromString(parts[0])), Long.parseLong(parts[1]));
            } catch (RuntimeException e) {
                throw new IOException(file + ": a fence line that cannot be read: '" + line + "'", e);
            }
        }
    }

    /** Fences {@code group} until this node's view reaches {@code untilEpoch}; durable when it returns. */
    public synchronized void fence(RaftGroupId group, long untilEpoch) throws IOException {
        Long before = fences.put(group, Math.max(untilEpoch, fences.getOrDefault(group, 0L)));
        if (before == null || before < untilEpoch) {
            write();
            LOG.info("group {} fenced on this node until view epoch {}", group, untilEpoch);
        }
    }

    public boolean isFenced(RaftGroupId group) {
        return fences.containsKey(group);
    }

    /** Lifts every fence whose epoch {@code viewEpoch} has reached. */
    public synchronized void liftThrough(long viewEpoch) {
        if (!fences.values().removeIf(until -> until <= viewEpoch)) {
            return;
        }
        try {
            write();
            LOG.info("fences lifted at view epoch {}", viewEpoch);
        } catch (IOException e) {
            // The file still names them: lifted again after a restart, once the view is known.
            LOG.warn("fences lifted at view epoch {}, but not in {}: {}", viewEpoch, file, e.getMessage());
        }
    }

    private void write() throws IOException {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        fences.forEach((group, until) -> text.append(group.getUuid()).append(' ').append(until).append('\n'));
        Files.createDirectories(file.getParent());
        DurableFiles.replace(file, out -> out.write(text.toString().getBytes(StandardCharsets.UTF_8)));
    }
}
