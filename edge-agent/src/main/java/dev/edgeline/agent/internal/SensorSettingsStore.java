package dev.edgeline.agent.internal;

import dev.edgeline.config.BootCounter;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor settings commands changed, kept across restarts in {@code <state>/sensor-settings}: one line per sensor
 * whose running settings differ from its configuration, {@code <sensor> <period-ms> enabled|disabled
 * <configured-period-ms>}. Written whole (temporary file, fsync, rename, directory fsync) before a command is
 * answered, so an acknowledged change survives a power cut. A setting is dropped at load when its sensor is no longer
 * configured or its configured period changed since (a new configuration is the newer intent).
 */
final class SensorSettingsStore {
    private static final Logger LOG = LoggerFactory.getLogger(SensorSettingsStore.class);

    private final Path file;

    SensorSettingsStore(Path file) {
        this.file = file;
    }

    /** The stored settings of the sensors in {@code configured} that still apply. */
    Map<String, SensorControl.Settings> load(Map<String, SensorConfig> configured) throws IOException {
        Map<String, SensorControl.Settings> settings = new LinkedHashMap<>();
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return settings;
        }
        int lineNumber = 0;
        for (String line : text.split("\n")) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.trim().split(" ");
            if (fields.length != 4 || !fields[2].matches("enabled|disabled") || !fields[1].matches("\\d{1,12}")
                    || !fields[3].matches("\\d{1,12}")) {
                throw new IOException(file + " line " + lineNumber + ": '" + line + "' is not '<sensor> <period-ms> "
                        + "enabled|disabled <configured-period-ms>' (fix or remove the file: the sensors then run "
                        + "as configured)");
            }
            SensorConfig sensor = configured.get(fields[0]);
            if (sensor == null) {
                LOG.info("{}: sensor '{}' is no longer configured; its stored settings are dropped", file, fields[0]);
            } else if (sensor.period().toMillis() != Long.parseLong(fields[3])) {
                LOG.info("{}: the configured period of '{}' changed since a command set it; the configuration wins",
                        file, fields[0]);
            } else {
                settings.put(fields[0], new SensorControl.Settings(Duration.ofMillis(Long.parseLong(fields[1])),
                        fields[2].equals("enabled")));
            }
        }
        return settings;
    }

    /** Stores every control's settings that differ from its configuration, durably, in sensor name order. */
    void save(java.util.Collection<SensorControl> controls) throws IOException {
        StringBuilder text = new StringBuilder();
        for (SensorControl control : controls.stream()
                .sorted(java.util.Comparator.comparing(c -> c.sensor().stream())).toList()) {
            SensorControl.Settings s = control.settings();
            if (!s.equals(control.configured())) {
                text.append(control.sensor().stream()).append(' ').append(s.period().toMillis()).append(' ')
                        .append(s.enabled() ? "enabled" : "disabled").append(' ')
                        .append(control.sensor().period().toMillis()).append('\n');
            }
        }
        BootCounter.writeDurably(file, text.toString().strip());
    }
}
