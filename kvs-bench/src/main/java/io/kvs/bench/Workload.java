package io.kvs.bench;

import java.util.Locale;

/** What the clients of a run do. */
enum Workload {
    /** Writes of random keys. */
    PUT,
    /** Reads of random keys, all written before the run. */
    GET,
    /** Reads and writes of random keys, {@code --read-percent} of them reads. */
    MIXED,
    /** Every key written once, split among the clients, all of it measured: to fill a store. */
    LOAD;

    static Workload parse(String text) {
        try {
            return valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--workload must be put, get, mixed or load, not " + text);
        }
    }

    /** Whether every key must exist before the measured part begins. */
    boolean needsPreload() {
        return this == GET || this == MIXED;
    }
}
