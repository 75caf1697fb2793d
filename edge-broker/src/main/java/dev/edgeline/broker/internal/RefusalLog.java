package dev.edgeline.broker.internal;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts refused publishes (or connections) per reason and logs them without flooding the journal: the first
 * refusal of a reason is logged at once, later ones at most once per interval, each line saying how many were not logged since the last
 * one. A full disk refuses every publish; before this, that was one log line per publish (125,000 in 45 s).
 *
 * <p>Thread-safe: called on HiveMQ's extension threads.
 */
public final class RefusalLog {
    private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
    /** Every reason the broker refuses a publish for, as counted and labelled in {@code /metrics}. */
    public static final List<String> REASONS = List.of("topic-too-long", "not-authorized", "no-route", "quota",
            "other-device", "malformed-identity", "identity-jump", "identity-collision", "stream-limit", "spool-full",
            "record-refused", "spool-error", "sparkplug-malformed");

    /** Why a connection may be refused: the label values of the connection refusal counter. */
    public static final List<String> CONNECTION_REASONS = List.of("bad-user-name-or-password", "not-authorized",
            "client-identifier-not-valid");

    private final String what;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** Refused publishes. */
    public RefusalLog() {
        this("publish", DEFAULT_INTERVAL, System::nanoTime);
    }

    public RefusalLog(Duration interval, LongSupplier nanoTime) {
        this("publish", interval, nanoTime);
    }

    /** Refusals of {@code what} ("publish", "connection"), as the log lines name them. */
    public RefusalLog(String what, Duration interval, LongSupplier nanoTime) {
        this.what = what;
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * Records one refusal of {@code reason} (a short stable name: the metric's label) and returns the line that was
     * logged, or null when it was held back.
     */
    public String refused(String reason, String detail) {
        counts.computeIfAbsent(reason, r -> new LongAdder()).increment();
        String line = windows.computeIfAbsent(reason, r -> new Window()).offer(reason, detail, nanoTime.getAsLong());
        if (line != null) {
            LOG.warn("{}", line);
        }
        return line;
    }

    /** Refusals per reason since start, sorted by reason. */
    public Map<String, Long> counts() {
        Map<String, Long> snapshot = new TreeMap<>();
        counts.forEach((reason, count) -> snapshot.put(reason, count.sum()));
        return snapshot;
    }

    /** One reason's logging window. */
    private final class Window {
        private long lastLoggedNanos;
        private boolean loggedOnce;
        private long heldBack;

        synchronized String offer(String reason, String detail, long now) {
            if (loggedOnce && now - lastLoggedNanos < intervalNanos) {
                heldBack++;
                return null;
            }
            String line = "refused " + what + " (" + reason + "): " + detail + (heldBack == 0 ? ""
                    : " [and " + heldBack + " more refusal(s) of this kind in the last "
                    + Duration.ofNanos(now - lastLoggedNanos).toSeconds() + " s not logged]");
            loggedOnce = true;
            lastLoggedNanos = now;
            heldBack = 0;
            return line;
        }
    }
}
