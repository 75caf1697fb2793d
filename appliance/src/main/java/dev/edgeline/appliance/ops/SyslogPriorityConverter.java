package dev.edgeline.appliance.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %priority} in a logback pattern: the {@code <N>} prefix by which journald takes a line's priority from a
 * service's standard error ({@code sd-daemon(3)}: 3 error, 4 warning, 6 info, 7 debug), so that
 * {@code journalctl -p warning -u edge-broker} shows exactly the warnings and errors. Used by
 * {@code edge-logback-journald.xml}, which the systemd units select.
 */
public final class SyslogPriorityConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return switch (event.getLevel().toInt()) {
            case Level.ERROR_INT -> "<3>";
            case Level.WARN_INT -> "<4>";
            case Level.INFO_INT -> "<6>";
            default -> "<7>";
        };
    }
}
