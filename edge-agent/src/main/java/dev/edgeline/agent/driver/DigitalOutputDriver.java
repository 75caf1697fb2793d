package dev.edgeline.agent.driver;

import dev.edgeline.agent.bus.DigitalOutputPin;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * A GPIO output (a relay, a valve) that commands switch. Opened at its safe state; every scheduled sample publishes
 * the level it is driven to (1 high, 0 low) and every change is published at once as an event, so Kafka holds when it
 * switched. {@link #toSafeState()} is what the agent calls when commands can no longer reach it. Thread-safe: the
 * sampling thread reads, the command thread switches.
 */
public final class DigitalOutputDriver implements SensorDriver {
    private final SensorConfig.DigitalOutput config;
    private final DigitalOutputPin pin;
    private volatile Consumer<Measurement> events = m -> { };

    public DigitalOutputDriver(SensorConfig.DigitalOutput config, DigitalOutputPin pin) {
        this.config = config;
        this.pin = pin;
    }

    public SensorConfig.DigitalOutput config() {
        return config;
    }

    @Override
    public void startEvents(Consumer<Measurement> events) {
        this.events = events;
    }

    @Override
    public synchronized List<Measurement> read() throws IOException {
        return List.of(Measurement.sample(config.stream(), pin.level() ? 1 : 0, ""));
    }

    /** Whether the output is high now. */
    public synchronized boolean level() throws IOException {
        return pin.level();
    }

    /**
     * Drives the output to {@code high}; a change is published as an event.
     *
     * @return the level before
     */
    public synchronized boolean set(boolean high) throws IOException {
        boolean before = pin.level();
        pin.set(high);
        if (before != high) {
            events.accept(new Measurement(config.stream(), high ? 1 : 0, "", true));
        }
        return before;
    }

    /** Drives the output to its configured safe state; returns the level before. */
    public boolean toSafeState() throws IOException {
        return set(config.safeHigh());
    }
}
