package io.opskit.metrics;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what Opskit logs, with MDC, for assertions. Close to detach. */
final class LogCapture implements AutoCloseable {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    /** Every captured line: level, formatted message and MDC. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        for (ILoggingEvent e : events()) {
            lines.add(e.getLevel() + " " + e.getFormattedMessage() + " " + e.getMDCPropertyMap());
        }
        return lines;
    }

    /** Logback appends under the appender's lock; copy under it too. */
    List<ILoggingEvent> events() {
        synchronized (appender) {
            return new ArrayList<>(appender.list);
        }
    }

    @Override
    public void close() {
        root.detachAppender(appender);
    }
}
