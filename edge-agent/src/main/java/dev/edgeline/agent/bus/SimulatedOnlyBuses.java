package dev.edgeline.agent.bus;

import dev.edgeline.config.SensorConfig;
import java.io.IOException;

/** Buses for a configuration with only simulated sensors: opening any real device is an error naming it. */
public final class SimulatedOnlyBuses implements Buses {

    @Override
    public I2cDevice i2c(int bus, int address) throws IOException {
        throw unavailable("I2C bus " + bus);
    }

    @Override
    public SpiDevice spi(int bus, int chipSelect, int speedHz) throws IOException {
        throw unavailable("SPI bus " + bus);
    }

    @Override
    public DigitalInputPin digitalInput(int pin, SensorConfig.Pull pull) throws IOException {
        throw unavailable("GPIO " + pin);
    }

    @Override
    public DigitalOutputPin digitalOutput(int pin, boolean initialHigh) throws IOException {
        throw unavailable("GPIO " + pin);
    }

    @Override
    public OneWireDevice oneWire(String deviceId) throws IOException {
        throw unavailable("1-Wire device " + deviceId);
    }

    private static IOException unavailable(String what) {
        return new IOException(what + " is not available: these buses serve simulated sensors only");
    }

    @Override
    public void close() {
    }
}
