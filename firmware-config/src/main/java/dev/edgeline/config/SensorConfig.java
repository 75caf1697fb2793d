package dev.edgeline.config;

import java.time.Duration;
import java.util.List;

/**
 * One sensor the agent samples. Most sensors produce one stream of readings; a BME280 produces one per quantity
 * ({@link #streams()}). The permitted types are the drivers the agent has; the YAML {@code type} names them.
 */
public sealed interface SensorConfig {

    /** Sensor name, unique on the device: {@code [a-z0-9][a-z0-9_-]*}; also the stream of single-stream sensors. */
    String stream();

    /** Sampling period (fixed rate). */
    Duration period();

    /** The YAML {@code type} of this sensor. */
    String type();

    /** Every stream this sensor publishes on. */
    default List<String> streams() {
        return List.of(stream());
    }

    /** The hardware bus this sensor needs (what the boot config must enable), if any. */
    default Bus bus() {
        return Bus.NONE;
    }

    /** Hardware interfaces a sensor can need. */
    enum Bus { NONE, I2C, SPI, ONE_WIRE, GPIO }

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

    /**
     * A Bosch BME280 on I2C: temperature, pressure and humidity, each on its own stream
     * {@code <stream>-temperature}, {@code <stream>-pressure}, {@code <stream>-humidity}.
     *
     * @param i2cBus               Linux I2C bus number ({@code /dev/i2c-N}; 1 on a Raspberry Pi's header)
     * @param address              0x76 (SDO to GND) or 0x77 (SDO to VDDIO)
     * @param mode                 forced (one measurement per sample, sleeps between) or normal (free-running)
     * @param temperatureOversampling 1, 2, 4, 8 or 16
     * @param pressureOversampling 0 (skipped), 1, 2, 4, 8 or 16
     * @param humidityOversampling 0 (skipped), 1, 2, 4, 8 or 16
     * @param filter               IIR filter coefficient: 0 (off), 2, 4, 8 or 16
     */
    record Bme280(String stream, Duration period, int i2cBus, int address, Bme280Mode mode,
                  int temperatureOversampling, int pressureOversampling, int humidityOversampling, int filter)
            implements SensorConfig {
        public static final String TYPE = "bme280";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public List<String> streams() {
            List<String> streams = new java.util.ArrayList<>();
            streams.add(temperatureStream());
            if (pressureOversampling > 0) {
                streams.add(pressureStream());
            }
            if (humidityOversampling > 0) {
                streams.add(humidityStream());
            }
            return List.copyOf(streams);
        }

        public String temperatureStream() {
            return stream + "-temperature";
        }

        public String pressureStream() {
            return stream + "-pressure";
        }

        public String humidityStream() {
            return stream + "-humidity";
        }

        @Override
        public Bus bus() {
            return Bus.I2C;
        }
    }

    /** BME280 power mode. */
    enum Bme280Mode { FORCED, NORMAL }

    /**
     * A Maxim DS18B20 temperature probe on 1-Wire, read through the kernel's w1 driver
     * ({@code <one-wire-directory>/<deviceId>/w1_slave}).
     *
     * @param deviceId the w1 device id, {@code 28-} and 12 hex digits
     * @param gpioPin  the BCM pin of the 1-Wire data line (for the {@code w1-gpio} overlay), 4 by default
     */
    record Ds18b20(String stream, Duration period, String deviceId, int gpioPin) implements SensorConfig {
        public static final String TYPE = "ds18b20";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Bus bus() {
            return Bus.ONE_WIRE;
        }
    }

    /**
     * One single-ended channel of a Microchip MCP3008 10-bit ADC on SPI, scaled to volts.
     *
     * @param spiBus         SPI bus ({@code /dev/spidev<bus>.<chipSelect>})
     * @param chipSelect     chip select line
     * @param channel        input channel 0..7
     * @param referenceVolts V_REF of the chip (3.3 on a Pi)
     * @param speedHz        SPI clock (at most 1.35 MHz at 2.7 V)
     */
    record Mcp3008(String stream, Duration period, int spiBus, int chipSelect, int channel, double referenceVolts,
                   int speedHz) implements SensorConfig {
        public static final String TYPE = "mcp3008";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Bus bus() {
            return Bus.SPI;
        }
    }

    /**
     * A digital input on a GPIO pin (door contact, motion sensor): debounced edges are published as events the moment
     * they settle, and the level on every sample.
     *
     * @param pin      BCM pin number
     * @param pull     internal pull resistor
     * @param debounce how long the level must stay unchanged before an edge counts
     */
    record DigitalInput(String stream, Duration period, int pin, Pull pull, Duration debounce)
            implements SensorConfig {
        public static final String TYPE = "digital-input";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Bus bus() {
            return Bus.GPIO;
        }
    }

    /** Pull resistor of a digital input. */
    enum Pull { UP, DOWN, NONE }

    /**
     * A digital output on a GPIO pin (a relay, a valve) that commands drive. Its level is published on every sample
     * and each change as an event, so Kafka holds the output's history beside the inputs'.
     *
     * @param pin       BCM pin number
     * @param safeHigh  the safe state: the level the pin takes when the agent starts and whenever it loses its
     *                  broker connection (when commands could no longer switch it back); false for low
     */
    record DigitalOutput(String stream, Duration period, int pin, boolean safeHigh) implements SensorConfig {
        public static final String TYPE = "digital-output";

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Bus bus() {
            return Bus.GPIO;
        }
    }
}
