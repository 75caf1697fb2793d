package dev.edgeline.agent.bus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * 1-Wire devices through the kernel's w1 sysfs files ({@code /sys/bus/w1/devices/<id>/w1_slave}). Pi4J has no 1-Wire
 * provider for the w1 driver; this reads the same files its examples do.
 */
public final class SysfsOneWire {
    private final Path devicesDirectory;

    public SysfsOneWire(Path devicesDirectory) {
        this.devicesDirectory = devicesDirectory;
    }

    /** The device, after checking that its {@code w1_slave} file exists (so a wrong id fails at start). */
    public OneWireDevice open(String deviceId) throws IOException {
        Path file = devicesDirectory.resolve(deviceId).resolve("w1_slave");
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "1-Wire device " + deviceId + " not found ("
                    + (Files.isDirectory(devicesDirectory) ? "probe disconnected or wrong id?"
                    : devicesDirectory + " is missing: is the w1-gpio overlay enabled in config.txt?") + ")");
        }
        return () -> {
            try {
                return Files.readString(file, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                throw new NoSuchFileException(file.toString(), null, "1-Wire device " + deviceId + " disappeared");
            }
        };
    }
}
