package io.kvs.http.node;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

import java.util.Map;

/**
 * How a node logs: one line per event on standard output (time, level, the logging class, the
 * message). kvs reports expected conditions without exceptions, and a stack trace only for the
 * unexpected; the libraries below it (Ratis, gRPC, Jetty) log expected conditions (a peer down, a
 * network cut, a full disk) with stack traces, which are put on the event's line as their chain
 * of causes ({@link CauseChain}). Logback finds this class as a service; being code, it costs a
 * starting node no configuration file to parse.
 */
public final class NodeLogging extends ContextAwareBase implements Configurator {
    /** Loggers of the libraries set apart from the root's INFO, and why. */
    private static final Map<String, Level> LIBRARY_LEVELS = Map.of(
            // Verbose below WARN.
            "org.apache.ratis", Level.WARN,
            "org.eclipse.jetty", Level.WARN,
            "io.javalin", Level.WARN,
            // The Raft client logs failed requests with their content (users' keys and values,
            // as raw bytes); kvs reports failures itself.
            "org.apache.ratis.client.impl.OrderedAsync", Level.OFF,
            "org.apache.ratis.grpc.client.GrpcClientRpc", Level.OFF,
            // A peer's request this node cannot serve (a vote or an append for a group it does not
            // host yet or any more, a replica that is restarting) is expected while groups move
            // and nodes restart, and the peer sends it again.
            "org.apache.ratis.grpc.server.GrpcServerProtocolService", Level.ERROR,
            // A leader's sender to each follower warns of every failed or refused append: a
            // follower down, restarting or behind, or this node itself stopping. Expected; the
            // groups' state is in /metrics and /status.
            "org.apache.ratis.grpc.server.GrpcLogAppender", Level.ERROR,
            // Jetty warns of every client's bytes that are not UTF-8 it decodes; kvs answers them 400.
            "org.eclipse.jetty.util.Utf8Appendable", Level.ERROR);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        Logger kvs = context.getLogger("io.kvs");
        kvs.setAdditive(false);
        kvs.addAppender(console(context, "kvs", line("%msg") + "%n%ex"));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        ConsoleAppender<ILoggingEvent> libraries = console(context, "libraries", line("%msg%causes") + "%n");
        NotRunningReplicaFilter notRunning = new NotRunningReplicaFilter();
        notRunning.start();
        libraries.addFilter(notRunning);
        root.addAppender(libraries);
        LIBRARY_LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * The line of an event whose text is {@code text}: control characters in it (line breaks,
     * bytes of a request a library prints) become a space.
     */
    private static String line(String text) {
        return "%d{yyyy-MM-dd'T'HH:mm:ss.SSS} %level %logger{0} - %replace(" + text + "){'\\p{Cntrl}+', ' '}";
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext context, String name, String pattern) {
        PatternLayout layout = new PatternLayout();
        layout.getInstanceConverterMap().put("causes", CauseChain::new);
        layout.setPattern(pattern);
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setLayout(layout);
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setName(name);
        appender.setEncoder(encoder);
        appender.setContext(context);
        appender.start();
        return appender;
    }
}
