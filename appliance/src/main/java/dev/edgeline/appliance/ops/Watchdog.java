package dev.edgeline.appliance.ops;

import dev.edgeline.time.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd the service is ready, feeds its watchdog while the service is not stuck, and says when it stops.
 * Under a unit with {@code Type=notify} and {@code WatchdogSec=}, systemd sets {@code NOTIFY_SOCKET} and
 * {@code WATCHDOG_USEC}; a service that stops feeding for that long is killed and restarted ({@code Restart=}).
 * Without them (a terminal, a test) it does nothing. Thread: {@code watchdog}, checking every quarter interval on a
 * {@link Ticker} (the system's in service, a virtual one in its test). {@link #close()} stops that thread before it
 * sends STOPPING=1, so that STOPPING=1 is the last message and the socket is used by one thread at a time.
 */
public final class Watchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    private static final Duration SHORTEST_PERIOD = Duration.ofMillis(100);

    private final Optional<SdNotify> notify;
    private final Ticker ticker;
    private final String service;
    private final BooleanSupplier stuck;
    private final Supplier<String> status;
    private volatile boolean closed;
    private boolean starving; // the watchdog thread's alone
    private Thread thread;

    private Watchdog(Optional<SdNotify> notify, Ticker ticker, String service, BooleanSupplier stuck,
                     Supplier<String> status) {
        this.notify = notify;
        this.ticker = ticker;
        this.service = service;
        this.stuck = stuck;
        this.status = status;
    }

    /**
     * Sends READY=1 and, when systemd asked for a watchdog, feeds it every quarter interval unless {@code stuck}
     * says the service is stuck; {@code status} becomes the unit's STATUS line ({@code systemctl status}).
     */
    public static Watchdog start(String service, BooleanSupplier stuck, Supplier<String> status) {
        return start(SdNotify.fromEnvironment(), watchdogInterval(), Ticker.system(), service, stuck, status);
    }

    static Watchdog start(Optional<SdNotify> notify, Optional<Duration> interval, Ticker ticker, String service,
                          BooleanSupplier stuck, Supplier<String> status) {
        Watchdog watchdog = new Watchdog(notify, ticker, service, stuck, status);
        if (notify.isEmpty()) {
            return watchdog;
        }
        notify.get().send("READY=1\nSTATUS=" + status.get());
        if (interval.isPresent()) {
            Duration period = feedingPeriod(interval.get());
            watchdog.thread = Thread.ofPlatform().name("watchdog").daemon()
                    .start(() -> watchdog.feedEvery(period.toNanos()));
            LOG.info("{} feeds the systemd watchdog every {} ms (WatchdogSec {} s)", service, period.toMillis(),
                    interval.get().toSeconds());
        }
        return watchdog;
    }

    /** A quarter of systemd's interval, and never less than 100 ms. */
    static Duration feedingPeriod(Duration watchdogInterval) {
        Duration quarter = watchdogInterval.dividedBy(4);
        return quarter.compareTo(SHORTEST_PERIOD) < 0 ? SHORTEST_PERIOD : quarter;
    }

    /** At a fixed rate from now; a check that overran its period is followed by the next at once, not by a burst. */
    private void feedEvery(long periodNanos) {
        long next = ticker.nanoTime();
        while (!closed) {
            check();
            next += periodNanos;
            if (ticker.nanoTime() - next > 0) {
                next = ticker.nanoTime();
            }
            while (!closed && next - ticker.nanoTime() > 0) {
                ticker.parkUntil(next);
            }
        }
    }

    private void check() {
        try {
            String line = status.get();
            if (stuck.getAsBoolean()) {
                if (!starving) {
                    starving = true;
                    LOG.error("{} is stuck ({}); no longer feeding the systemd watchdog, which restarts it",
                            service, line);
                }
                notify.get().send("STATUS=stuck: " + line);
                return;
            }
            if (starving) {
                starving = false;
                LOG.info("{} is moving again; feeding the watchdog", service);
            }
            notify.get().send("WATCHDOG=1\nSTATUS=" + line);
        } catch (RuntimeException e) {
            LOG.warn("watchdog check failed: {}", e.toString());
        }
    }

    /** The interval systemd asked for, if it asked this process. */
    static Optional<Duration> watchdogInterval() {
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        if (usec == null || (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid())))) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofNanos(Long.parseLong(usec) * 1000));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Stops feeding, then says STOPPING=1. */
    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            ticker.wake(thread);
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        notify.ifPresent(n -> {
            n.send("STOPPING=1");
            n.close();
        });
    }
}
