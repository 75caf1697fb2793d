package dev.edgeline.agent.driver;

import dev.edgeline.agent.bus.Buses;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.util.SplittableRandom;

/** Builds the driver for a configured sensor, opening its device on {@code buses} (which fails at start). */
public final class Drivers {
    private Drivers() {}

    public static SensorDriver create(SensorConfig sensor, Buses buses) throws IOException {
        return switch (sensor) {
            case SensorConfig.SimulatedAnalog analog ->
                    new SimulatedAnalogDriver(analog, new SplittableRandom(analog.stream().hashCode()));
            case SensorConfig.SimulatedDigital digital -> new SimulatedDigitalDriver(digital);
            case SensorConfig.Bme280 bme -> Bme280Driver.open(bme, buses.i2c(bme.i2cBus(), bme.address()));
            case SensorConfig.Ds18b20 probe -> new Ds18b20Driver(probe, buses.oneWire(probe.deviceId()));
            case SensorConfig.Mcp3008 adc -> new Mcp3008Driver(adc,
                    buses.spi(adc.spiBus(), adc.chipSelect(), adc.speedHz()));
            case SensorConfig.DigitalInput input -> new DigitalInputDriver(input,
                    buses.digitalInput(input.pin(), input.pull()));
            case SensorConfig.DigitalOutput output -> new DigitalOutputDriver(output,
                    buses.digitalOutput(output.pin(), output.safeHigh()));
        };
    }
}
