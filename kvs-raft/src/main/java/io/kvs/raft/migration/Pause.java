package io.kvs.raft.migration;

/** A pause between two polls of a remote state (another node's, a group's), kept interruptible. */
final class Pause {
    private Pause() {
    }

    static void millis(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
