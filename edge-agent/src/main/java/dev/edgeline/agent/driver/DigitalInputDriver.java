package dev.edgeline.agent.driver;

import dev.edgeline.agent.bus.DigitalInputPin;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A GPIO input (door contact, PIR motion sensor). Raw edges from the pin go through a {@link Debouncer}; each settled
 * change is published at once as an event (value 1 for high, 0 for low), and every scheduled sample publishes the
 * pin's level. Debounce timers run on one thread per input, {@code agent-debounce-<stream>}.
 */
public final class DigitalInputDriver implements SensorDriver {
    private final SensorConfig.DigitalInput config;
    private final DigitalInputPin pin;
    private final Debouncer debouncer;
    private final ScheduledExecutorService timers;

    public DigitalInputDriver(SensorConfig.DigitalInput config, DigitalInputPin pin) throws IOException {
        this.config = config;
        this.pin = pin;
        this.debouncer = new Debouncer(pin.level(), config.debounce().toNanos());
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, runnable ->
                Thread.ofPlatform().daemon().name("agent-debounce-" + config.stream()).unstarted(runnable));
        executor.setRemoveOnCancelPolicy(true);
        this.timers = executor;
    }

    @Override
    public void startEvents(Consumer<Measurement> events) {
        pin.onEdge((level, nanoTime) -> {
            long settleAt = debouncer.edge(level, nanoTime);
            timers.schedule(() -> debouncer.settle(System.nanoTime()).ifPresent(settled ->
                            events.accept(new Measurement(config.stream(), settled ? 1 : 0, "", true))),
                    Math.max(0, settleAt - System.nanoTime()), TimeUnit.NANOSECONDS);
        });
    }

    @Override
    public List<Measurement> read() throws IOException {
        return List.of(Measurement.sample(config.stream(), pin.level() ? 1 : 0, ""));
    }

    @Override
    public void close() {
        timers.shutdownNow();
    }
}
