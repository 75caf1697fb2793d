package dev.edgeline.agent.driver;

import dev.edgeline.agent.bus.SpiDevice;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.util.List;

/**
 * One single-ended channel of a Microchip MCP3008 (datasheet DS21295, figure 6-1, "SPI communication using 8-bit
 * segments"): three bytes out, {@code 0x01} (start bit), {@code 1 D2 D1 D0 0000} (single-ended, channel), {@code 0x00};
 * the 10-bit result comes back in the low 2 bits of the second byte and all of the third. Scaled to volts with
 * V_REF: {@code volts = code × V_REF / 1024}.
 */
public final class Mcp3008Driver implements SensorDriver {
    private final SensorConfig.Mcp3008 config;
    private final SpiDevice device;

    public Mcp3008Driver(SensorConfig.Mcp3008 config, SpiDevice device) {
        this.config = config;
        this.device = device;
    }

    /** The command bytes that read {@code channel} single-ended. */
    static byte[] command(int channel) {
        return new byte[] {0x01, (byte) (0x80 | channel << 4), 0x00};
    }

    /** The 10-bit conversion result in a response. */
    static int code(byte[] response) {
        return (response[1] & 0x03) << 8 | (response[2] & 0xFF);
    }

    @Override
    public List<Measurement> read() throws IOException {
        byte[] response = device.transfer(command(config.channel()));
        if (response.length != 3) {
            throw new IOException("MCP3008 '" + config.stream() + "': " + response.length + "-byte response");
        }
        // The chip drives a null bit (0) just before B9; a 1 there means nothing is driving MISO.
        if ((response[1] & 0x04) != 0) {
            throw new IOException("MCP3008 '" + config.stream() + "': null bit is 1 (MISO floating: chip missing?)");
        }
        return List.of(Measurement.sample(config.stream(), code(response) * config.referenceVolts() / 1024.0, "V"));
    }
}
