package dev.edgeline.config;

import java.time.Duration;

/**
 * One sensor the agent samples. Each sensor produces one stream of readings.
 * The permitted types are the drivers the agent has; the YAML {@code type} names them.
 */
public sealed interface SensorConfig {

    /** Stream name, unique on the device: {@code [a-z0-9][a-z0-9_-]*}. */
    String stream();

    /** Sampling period (fixed rate). */
    Duration period();

    /** The YAML {@code type} of this sensor. */
    String type();

    /**
     * A simulated analog sensor: a slow sine wave around {@code mean} plus uniform noise, like a room's
     * temperature or humidity.
     */
    record SimulatedAnalog(String stream, Duration period, String unit, double mean, double amplitude,
                           double noise, Duration cycle) implements SensorConfig {
        public static final String TYPE = "simulated-analog";

        @Override
        public String type() {
            return TYPE;
        }
    }

    /** A simulated digital input (a door contact, say) that toggles every {@code toggleEvery} samples. */
    record SimulatedDigital(String stream, Duration period, int toggleEvery) implements SensorConfig {
        public static final String TYPE = "simulated-digital";

        @Override
        public String type() {
            return TYPE;
        }
    }
}
