package dev.edgeline.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A device YAML with N simulated sensors and our broker on a loopback port, for the agent harnesses. */
final class SimulatedDeviceConfig {
    private SimulatedDeviceConfig() {}

    /** Writes {@code <dir>/device.yaml}: {@code sensors} simulated-analog sensors sampled {@code hz} times a second. */
    static Path write(Path dir, String deviceId, int mqttPort, int sensors, int hz) throws IOException {
        StringBuilder yaml = new StringBuilder("""
                device: {id: %s}
                broker: {listener: {port: %d}, data-directory: broker}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: 127.0.0.1:9
                  routes: [{mqtt-filter: "edge/#", kafka-topic: %s}]
                sensors:
                """.formatted(deviceId, mqttPort, deviceId));
        for (int i = 0; i < sensors; i++) {
            yaml.append("  - {stream: s").append(i).append(", type: simulated-analog, period: ")
                    .append(1000 / hz).append("ms, unit: \"°C\"}\n");
        }
        Path file = dir.resolve("device.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
