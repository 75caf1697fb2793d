package dev.edgeline.agent.driver;

import dev.edgeline.config.SensorConfig;
import java.util.List;

/** A simulated digital input (a door contact) whose level toggles every {@code toggleEvery} samples. */
public final class SimulatedDigitalDriver implements SensorDriver {
    private final String stream;
    private final int toggleEvery;
    private long count;

    public SimulatedDigitalDriver(SensorConfig.SimulatedDigital config) {
        this.stream = config.stream();
        this.toggleEvery = config.toggleEvery();
    }

    @Override
    public List<Measurement> read() {
        long level = (count++ / toggleEvery) % 2;
        return List.of(Measurement.sample(stream, level, ""));
    }
}
