package dev.edgeline.agent.bus;

import dev.edgeline.config.SensorConfig;
import java.io.IOException;

/**
 * The hardware the drivers use: opens devices on the buses the configuration names. The production implementation
 * is {@link dev.edgeline.agent.bus.pi4j.Pi4jBuses} (with {@link SysfsOneWire} for 1-Wire); tests implement it with
 * register-level device emulators. Closing releases every device opened through it.
 */
public interface Buses extends AutoCloseable {

    I2cDevice i2c(int bus, int address) throws IOException;

    SpiDevice spi(int bus, int chipSelect, int speedHz) throws IOException;

    DigitalInputPin digitalInput(int pin, SensorConfig.Pull pull) throws IOException;

    /** Opens {@code pin} as an output, driven to {@code initialHigh} from the moment it is opened. */
    DigitalOutputPin digitalOutput(int pin, boolean initialHigh) throws IOException;

    OneWireDevice oneWire(String deviceId) throws IOException;

    @Override
    void close();
}
