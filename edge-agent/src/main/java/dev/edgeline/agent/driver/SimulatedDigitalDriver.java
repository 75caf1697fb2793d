package dev.edgeline.agent.driver;

import dev.edgeline.config.SensorConfig;

/** A simulated digital input (a door contact) whose level toggles every {@code toggleEvery} samples. */
public final class SimulatedDigitalDriver implements SensorDriver {
    private final int toggleEvery;
    private long count;

    public SimulatedDigitalDriver(SensorConfig.SimulatedDigital config) {
        this.toggleEvery = config.toggleEvery();
    }

    @Override
    public Sample read() {
        long level = (count++ / toggleEvery) % 2;
        return new Sample(level, "");
    }
}
