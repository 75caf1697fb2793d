package dev.edgeline.agent.driver;

import dev.edgeline.config.SensorConfig;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A simulated analog sensor for the demo and tests: a sine wave of period {@code cycle} around {@code mean} with
 * uniform noise of {@code ±noise}, like a room's temperature or humidity. Confined to the sampling thread.
 */
public final class SimulatedAnalogDriver implements SensorDriver {
    private final SensorConfig.SimulatedAnalog config;
    private final RandomGenerator random;
    private final double stepsPerCycle;
    private long step;

    public SimulatedAnalogDriver(SensorConfig.SimulatedAnalog config, RandomGenerator random) {
        this.config = config;
        this.random = random;
        this.stepsPerCycle = Math.max(1.0, (double) config.cycle().toNanos() / config.period().toNanos());
    }

    @Override
    public List<Measurement> read() {
        double phase = 2 * Math.PI * (step++ / stepsPerCycle);
        double noise = config.noise() == 0 ? 0 : (random.nextDouble() * 2 - 1) * config.noise();
        return List.of(Measurement.sample(config.stream(), config.mean() + config.amplitude() * Math.sin(phase) + noise,
                config.unit()));
    }
}
