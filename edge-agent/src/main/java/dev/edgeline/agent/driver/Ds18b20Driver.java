package dev.edgeline.agent.driver;

import dev.edgeline.agent.bus.OneWireDevice;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.util.List;

/**
 * Maxim DS18B20 through the kernel's w1 driver: each read makes the kernel run a conversion (~750 ms at 12 bits),
 * which is why every sensor samples on its own thread. See {@link W1SlaveReading} for what is refused.
 */
public final class Ds18b20Driver implements SensorDriver {
    private final SensorConfig.Ds18b20 config;
    private final OneWireDevice device;

    public Ds18b20Driver(SensorConfig.Ds18b20 config, OneWireDevice device) {
        this.config = config;
        this.device = device;
    }

    @Override
    public List<Measurement> read() throws IOException {
        return List.of(Measurement.sample(config.stream(), W1SlaveReading.celsius(config.deviceId(), device.readSlave()),
                "°C"));
    }
}
