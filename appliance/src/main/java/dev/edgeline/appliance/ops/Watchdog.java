package dev.edgeline.appliance.ops;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd the service is ready, feeds its watchdog while the service is not stuck, and says when it stops.
 * Under a unit with {@code Type=notify} and {@code WatchdogSec=}, systemd sets {@code NOTIFY_SOCKET} and
 * {@code WATCHDOG_USEC}; a service that stops feeding for that long is killed and restarted ({@code Restart=}).
 * Without them (a terminal, a test) it does nothing. Thread: {@code watchdog}, pinging every quarter interval.
 */
public final class Watchdog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);
    private final Optional<SdNotify> notify;
    private final ScheduledExecutorService executor;
    private volatile boolean starving;

    private Watchdog(Optional<SdNotify> notify, ScheduledExecutorService executor) {
        this.notify = notify;
        this.executor = executor;
    }

    /**
     * Sends READY=1 and, when systemd asked for a watchdog, feeds it every quarter interval unless {@code stuck}
     * says the service is stuck; {@code status} becomes the unit's STATUS line ({@code systemctl status}).
     */
    public static Watchdog start(String service, BooleanSupplier stuck, Supplier<String> status) {
        return start(SdNotify.fromEnvironment(), watchdogInterval(), service, stuck, status);
    }

    static Watchdog start(Optional<SdNotify> notify, Optional<Duration> interval, String service,
                          BooleanSupplier stuck, Supplier<String> status) {
        if (notify.isEmpty()) {
            return new Watchdog(notify, null);
        }
        notify.get().send("READY=1\nSTATUS=" + status.get());
        if (interval.isEmpty()) {
            return new Watchdog(notify, null);
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(
                runnable -> Thread.ofPlatform().name("watchdog").daemon().unstarted(runnable));
        Watchdog watchdog = new Watchdog(notify, executor);
        long periodMillis = Math.max(100, interval.get().toMillis() / 4);
        executor.scheduleAtFixedRate(() -> watchdog.tick(service, stuck, status), 0, periodMillis,
                TimeUnit.MILLISECONDS);
        LOG.info("{} feeds the systemd watchdog every {} ms (WatchdogSec {} s)", service, periodMillis,
                interval.get().toSeconds());
        return watchdog;
    }

    private void tick(String service, BooleanSupplier stuck, Supplier<String> status) {
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

    /** Says STOPPING=1 and stops feeding. */
    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
        notify.ifPresent(n -> {
            n.send("STOPPING=1");
            n.close();
        });
    }
}
