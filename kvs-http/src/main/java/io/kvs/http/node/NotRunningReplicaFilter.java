package io.kvs.http.node;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.ratis.protocol.exceptions.ServerNotReadyException;
import org.apache.ratis.server.RaftServer;

/**
 * Drops Ratis' ERROR for a peer's request that reached a replica of this node while the replica
 * was not running: starting (its role not yet set) or stopping (closing on SIGTERM). A leader's
 * heartbeat meets one in nearly every start and stop; it is expected, answered to the leader as
 * "not ready", and sent again. Every other error of a replica is kept.
 */
final class NotRunningReplicaFilter extends Filter<ILoggingEvent> {
    private static final String REPLICA_LOGGER = RaftServer.Division.class.getName();
    private static final String NOT_RUNNING = ServerNotReadyException.class.getName();

    @Override
    public FilterReply decide(ILoggingEvent event) {
        IThrowableProxy thrown = event.getThrowableProxy();
        boolean notRunning = thrown != null && NOT_RUNNING.equals(thrown.getClassName())
                && REPLICA_LOGGER.equals(event.getLoggerName());
        return notRunning ? FilterReply.DENY : FilterReply.NEUTRAL;
    }
}
