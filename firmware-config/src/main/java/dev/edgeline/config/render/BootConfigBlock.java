package dev.edgeline.config.render;

import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.SensorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The Raspberry Pi boot firmware settings ({@code config.txt}) the configured sensors need, and nothing else: I2C for
 * an I2C sensor ({@code dtparam=i2c_arm=on} for bus 1, {@code i2c_vc} for bus 0, the {@code i2cN} overlays of a Pi 4
 * for buses 3 to 6), SPI for SPI devices ({@code dtparam=spi=on} for SPI0, {@code spiN-Mcs} overlays otherwise, with
 * enough chip selects), one {@code w1-gpio} overlay per 1-Wire data pin, and for each digital output
 * {@code gpio=<pin>=op,dl} (or {@code dh}): the firmware drives it to its safe state from power-on, before Linux and
 * the agent run. GPIO inputs need no boot setting.
 *
 * <p>It is a managed block between {@link #BEGIN} and {@link #END} lines (Ansible's {@code blockinfile} markers), so the
 * rest of the file stays the operator's; {@link #mergeInto} replaces an existing block or appends one.
 */
public final class BootConfigBlock {
    public static final String MARKER = "edgeline managed block: rendered from the device configuration, do not edit";
    public static final String BEGIN = "# BEGIN " + MARKER;
    public static final String END = "# END " + MARKER;

    private BootConfigBlock() {}

    /** The settings, one per line, in a fixed order (I2C, SPI, 1-Wire, outputs); empty when the sensors need none. */
    public static List<String> settings(DeviceConfig config) {
        TreeSet<Integer> i2cBuses = new TreeSet<>();
        java.util.TreeMap<Integer, Integer> spiChipSelects = new java.util.TreeMap<>();
        TreeSet<Integer> oneWirePins = new TreeSet<>();
        java.util.TreeMap<Integer, Boolean> outputs = new java.util.TreeMap<>();
        for (SensorConfig sensor : config.sensors()) {
            switch (sensor) {
                case SensorConfig.Bme280 b -> i2cBuses.add(b.i2cBus());
                case SensorConfig.Mcp3008 a -> spiChipSelects.merge(a.spiBus(), a.chipSelect() + 1, Math::max);
                case SensorConfig.Ds18b20 d -> oneWirePins.add(d.gpioPin());
                case SensorConfig.DigitalOutput o -> outputs.put(o.pin(), o.safeHigh());
                default -> { }
            }
        }
        List<String> lines = new ArrayList<>();
        for (int bus : i2cBuses) {
            lines.add(switch (bus) {
                case 0 -> "dtparam=i2c_vc=on";
                case 1 -> "dtparam=i2c_arm=on";
                default -> "dtoverlay=i2c" + bus;
            });
        }
        spiChipSelects.forEach((bus, chipSelects) -> lines.add(bus == 0 ? "dtparam=spi=on"
                : "dtoverlay=spi" + bus + "-" + Math.max(chipSelects, 1) + "cs"));
        for (int pin : oneWirePins) {
            lines.add("dtoverlay=w1-gpio,gpiopin=" + pin);
        }
        outputs.forEach((pin, high) -> lines.add("gpio=" + pin + "=op," + (high ? "dh" : "dl")));
        return lines;
    }

    /** The block's content without its markers (what Ansible's {@code blockinfile} takes). */
    public static String content(DeviceConfig config) {
        List<String> settings = settings(config);
        StringBuilder out = new StringBuilder("# for device " + config.device().id() + ": "
                + (settings.isEmpty() ? "no bus needs enabling" : String.join(", ", describe(config))) + "\n");
        settings.forEach(line -> out.append(line).append('\n'));
        return out.toString();
    }

    /** {@code existing} config.txt text with the block replaced, or appended when there was none. */
    public static String mergeInto(String existing, DeviceConfig config) {
        String block = BEGIN + "\n" + content(config) + END + "\n";
        int begin = existing.indexOf(BEGIN);
        int end = existing.indexOf(END);
        if (begin >= 0 && end > begin) {
            int after = existing.indexOf('\n', end);
            return existing.substring(0, begin) + block + (after < 0 ? "" : existing.substring(after + 1));
        }
        return existing + (existing.isEmpty() || existing.endsWith("\n") ? "" : "\n") + block;
    }

    private static List<String> describe(DeviceConfig config) {
        List<String> why = new ArrayList<>();
        for (SensorConfig sensor : config.sensors()) {
            if (sensor.bus() != SensorConfig.Bus.NONE && sensor.bus() != SensorConfig.Bus.GPIO
                    || sensor instanceof SensorConfig.DigitalOutput) {
                why.add(sensor.stream() + " (" + sensor.type() + ")");
            }
        }
        return why;
    }
}
