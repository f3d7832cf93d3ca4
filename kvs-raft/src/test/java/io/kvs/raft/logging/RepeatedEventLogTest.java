package io.kvs.raft.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RepeatedEventLogTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private RepeatedEventLog events;

    @BeforeEach
    void logger() {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.start();
        lines.setContext(context);
        lines.start();
        ch.qos.logback.classic.Logger log = context.getLogger("test");
        log.addAppender(lines);
        events = new RepeatedEventLog(log, Duration.ofSeconds(10), now::get);
    }

    private List<String> logged() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void theFirstEventIsLoggedAtOnceAndTheRestOfItsIntervalCounted() {
        events.record("group {} did not answer in {} ms", 3, 450);
        for (int i = 0; i < 999; i++) {
            now.addAndGet(Duration.ofMillis(9).toNanos());
            events.record("group {} did not answer in {} ms", 3, 450 + i);
        }
        assertEquals(List.of("group 3 did not answer in 450 ms"), logged());

        now.addAndGet(Duration.ofSeconds(2).toNanos()); // 10.99 s after the first line
        events.record("group {} did not answer in {} ms", 4, 451);
        assertEquals(List.of("group 3 did not answer in 450 ms",
                "group 4 did not answer in 451 ms (and 999 more since the last such line)"), logged());
    }

    @Test
    void eventsAnIntervalApartAreEachLogged() {
        for (int i = 0; i < 3; i++) {
            events.record("event {}", i);
            now.addAndGet(Duration.ofSeconds(10).toNanos());
        }
        assertEquals(List.of("event 0", "event 1", "event 2"), logged());
    }
}
