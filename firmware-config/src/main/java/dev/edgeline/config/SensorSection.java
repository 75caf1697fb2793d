package dev.edgeline.config;

import dev.edgeline.config.internal.ErrorSink;
import dev.edgeline.config.internal.YamlMap;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.yaml.snakeyaml.nodes.Node;

/** Reads one element of {@code sensors}: its stream, type, period and the keys of its type. */
final class SensorSection {
    /** The sensor types, as the schema declares them (one variant of sensors[] each). */
    private static final List<String> SENSOR_TYPES = ConfigSchema.get().keys().stream()
            .filter(k -> k.path().startsWith("sensors[") && k.path().endsWith("].type"))
            .map(k -> String.valueOf(k.allowed().getFirst())).toList();
    private static final ConfigSchema.ConfigKey OVERSAMPLING_T = ConfigSchema.key("sensors[bme280].oversampling.temperature");
    private static final ConfigSchema.ConfigKey OVERSAMPLING_P = ConfigSchema.key("sensors[bme280].oversampling.pressure");
    private static final ConfigSchema.ConfigKey OVERSAMPLING_H = ConfigSchema.key("sensors[bme280].oversampling.humidity");

    private final ErrorSink errors;

    SensorSection(ErrorSink errors) {
        this.errors = errors;
    }

    Optional<SensorConfig> read(String path, Node node) {
        return YamlMap.of(path, node, errors).flatMap(m -> {
            // Each type declares its keys (sensors[bme280].address); stream, type and period are in every one.
            String declaredType = m.peek("type");
            m.declaredAs("sensors[" + (SENSOR_TYPES.contains(declaredType) ? declaredType : SENSOR_TYPES.getFirst()) + "]");
            String stream = m.string("stream");
            if (stream != null && !ConfigNames.STREAM_NAME.matcher(stream).matches()) {
                m.error("stream", "'" + stream + "' is not a valid stream name ([a-z0-9][a-z0-9_-]*, at most 64)");
            }
            String type = m.string("type");
            Duration period = m.duration("period");
            if (m.has("period") && (period.compareTo(Duration.ofMillis(1)) < 0 || period.compareTo(Duration.ofDays(1)) > 0)) {
                m.error("period", period + " is out of range 1ms..24h");
            }
            if (type == null) {
                m.rejectUnknownKeys();
                return Optional.empty();
            }
            Optional<SensorConfig> sensor = switch (type) {
                case SensorConfig.SimulatedAnalog.TYPE -> Optional.of(new SensorConfig.SimulatedAnalog(stream, period,
                        m.string("unit"), m.decimal("mean"), m.decimal("amplitude"), m.decimal("noise"),
                        m.duration("cycle")));
                case SensorConfig.SimulatedDigital.TYPE -> Optional.of(new SensorConfig.SimulatedDigital(stream, period,
                        m.integer("toggle-every")));
                case SensorConfig.Bme280.TYPE -> readBme280(m, stream, period);
                case SensorConfig.Ds18b20.TYPE -> readDs18b20(m, stream, period);
                case SensorConfig.Mcp3008.TYPE -> readMcp3008(m, stream, period);
                case SensorConfig.DigitalInput.TYPE -> readDigitalInput(m, stream, period);
                case SensorConfig.DigitalOutput.TYPE -> Optional.of(new SensorConfig.DigitalOutput(stream, period,
                        m.integer("gpio-pin"), "high".equals(m.orDefault(m.string("safe-state"), "safe-state"))));
                default -> {
                    m.error("type", "unknown sensor type '" + type + "'; known types: " + String.join(", ", SENSOR_TYPES));
                    yield Optional.empty();
                }
            };
            m.rejectUnknownKeys();
            return stream == null ? Optional.empty() : sensor;
        });
    }

    private Optional<SensorConfig> readBme280(YamlMap m, String stream, Duration period) {
        int bus = m.integer("i2c-bus");
        if (bus == 2) {
            m.error("i2c-bus", "2 is reserved for the HDMI display's DDC on a Raspberry Pi; use 1 (or 0, 3..6)");
        }
        int address = m.integer("address");
        if (m.has("address") && address != 0x76 && address != 0x77) {
            m.error("address", "0x" + Integer.toHexString(address) + " is not a BME280 address (0x76 or 0x77)");
        }
        String modeText = m.string("mode");
        SensorConfig.Bme280Mode mode = "normal".equals(modeText) ? SensorConfig.Bme280Mode.NORMAL
                : SensorConfig.Bme280Mode.FORCED;
        int osrsT = OVERSAMPLING_T.defaultInt();
        int osrsP = OVERSAMPLING_P.defaultInt();
        int osrsH = OVERSAMPLING_H.defaultInt();
        Optional<YamlMap> oversampling = m.optionalMap("oversampling");
        if (oversampling.isPresent()) {
            YamlMap o = oversampling.get();
            osrsT = o.integer("temperature");
            if (osrsT == 0 && o.isValid("temperature")) {
                o.error("temperature", "0 would skip temperature, which pressure and humidity compensation need");
            } else {
                osrsT = oneOf(o, "temperature", osrsT);
            }
            osrsP = oneOf(o, "pressure", o.integer("pressure"));
            osrsH = oneOf(o, "humidity", o.integer("humidity"));
            o.rejectUnknownKeys();
        }
        int filter = oneOf(m, "iir-filter", m.integer("iir-filter"));
        if (mode == SensorConfig.Bme280Mode.FORCED && period.compareTo(Duration.ofMillis(100)) < 0) {
            m.error("period", period + " is too short for forced mode (a measurement takes up to ~113 ms at "
                    + "16x oversampling); use at least 100ms or mode: normal");
        }
        return Optional.of(new SensorConfig.Bme280(stream, period, bus, address, mode, osrsT, osrsP, osrsH, filter));
    }

    /** {@code value} when it is one of the values the schema allows for {@code key}; else an error, and the default. */
    private static int oneOf(YamlMap m, String key, int value) {
        ConfigSchema.ConfigKey declared = m.declaration(key);
        if (m.isValid(key) && !declared.allowed().contains(value)) {
            m.error(key, value + " is not one of: " + declared.allowed().stream().map(String::valueOf)
                    .reduce((a, b) -> a + ", " + b).orElse(""));
            return declared.defaultInt();
        }
        return value;
    }

    private Optional<SensorConfig> readDs18b20(YamlMap m, String stream, Duration period) {
        String deviceId = m.string("device-id");
        if (deviceId != null && !ConfigNames.W1_DEVICE_ID.matcher(deviceId).matches()) {
            m.error("device-id", "'" + deviceId + "' is not a DS18B20 1-Wire id ('28-' and 12 lowercase hex digits, "
                    + "as listed in /sys/bus/w1/devices)");
        }
        int pin = m.integer("gpio-pin");
        if (period.compareTo(Duration.ofSeconds(1)) < 0) {
            m.error("period", period + " is shorter than a DS18B20 conversion plus the w1 read (~0.8 s); use 1s or more");
        }
        return deviceId == null ? Optional.empty() : Optional.of(new SensorConfig.Ds18b20(stream, period, deviceId, pin));
    }

    private Optional<SensorConfig> readMcp3008(YamlMap m, String stream, Duration period) {
        int bus = m.integer("spi-bus");
        if (bus == 2) {
            m.error("spi-bus", "SPI2 is not on the Raspberry Pi's header; use 0, 1 or 3..6");
        }
        int chipSelect = m.integer("chip-select");
        if (bus != 1 && chipSelect > 1 && m.isValid("chip-select")) {
            m.error("chip-select", chipSelect + " is out of range 0..1 (only SPI1 has a third chip select)");
        }
        int channel = m.integer("channel");
        double reference = m.decimal("reference-volts");
        if (reference <= 0 || reference > 5.5) {
            m.error("reference-volts", reference + " is out of range (0, 5.5]");
        }
        int speed = m.integer("speed-hz");
        return Optional.of(new SensorConfig.Mcp3008(stream, period, bus, chipSelect, channel, reference, speed));
    }

    private Optional<SensorConfig> readDigitalInput(YamlMap m, String stream, Duration period) {
        int pin = m.integer("gpio-pin");
        String pullText = m.string("pull");
        SensorConfig.Pull pull = switch (m.orDefault(pullText, "pull")) {
            case "up" -> SensorConfig.Pull.UP;
            case "down" -> SensorConfig.Pull.DOWN;
            default -> SensorConfig.Pull.NONE;
        };
        Duration debounce = m.duration("debounce");
        if (debounce.isNegative() || debounce.compareTo(Duration.ofSeconds(10)) > 0) {
            m.error("debounce", debounce + " is out of range 0..10s");
        }
        return Optional.of(new SensorConfig.DigitalInput(stream, period, pin, pull, debounce));
    }
}
