package dev.edgeline.agent.driver;

import dev.edgeline.config.SensorConfig;
import java.util.SplittableRandom;

/** Builds the driver for a configured sensor. */
public final class Drivers {
    private Drivers() {}

    public static SensorDriver create(SensorConfig sensor) {
        return switch (sensor) {
            case SensorConfig.SimulatedAnalog analog ->
                    new SimulatedAnalogDriver(analog, new SplittableRandom(analog.stream().hashCode()));
            case SensorConfig.SimulatedDigital digital -> new SimulatedDigitalDriver(digital);
        };
    }
}
