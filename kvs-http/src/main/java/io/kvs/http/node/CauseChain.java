package io.kvs.http.node;

import ch.qos.logback.classic.pattern.ThrowableHandlingConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * Puts an event's exception on the event's own line: its class and message, then each cause's,
 * without stack frames. The libraries under a node (Ratis, gRPC, Jetty) log expected conditions
 * (a peer down, a network cut, a full disk) with whole stack traces; what an operator needs is
 * the chain of reasons, the last of which usually names the condition.
 */
public final class CauseChain extends ThrowableHandlingConverter {
    /** Bounds a chain that loops or runs deep: the first causes say what happened. */
    private static final int MAX_CAUSES = 8;

    @Override
    public String convert(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown == null) {
            return "";
        }
        StringBuilder line = new StringBuilder(" (");
        for (int depth = 0; thrown != null && depth < MAX_CAUSES; depth++, thrown = thrown.getCause()) {
            if (depth > 0) {
                line.append(" <- ");
            }
            line.append(thrown.getClassName());
            if (thrown.getMessage() != null) {
                line.append(": ").append(thrown.getMessage());
            }
        }
        return line.append(')').toString();
    }
}
