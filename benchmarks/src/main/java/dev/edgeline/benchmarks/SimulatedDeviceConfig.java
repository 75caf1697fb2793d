package dev.edgeline.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Device YAMLs for the harnesses: our broker on a loopback port, with or without simulated sensors. */
final class SimulatedDeviceConfig {
    private SimulatedDeviceConfig() {}

    /** Writes {@code <dir>/device.yaml}: {@code sensors} simulated-analog sensors sampled {@code hz} times a second. */
    static Path write(Path dir, String deviceId, int mqttPort, int sensors, int hz) throws IOException {
        return write(dir, deviceId, mqttPort, sensors, hz, "127.0.0.1:9");
    }

    /** As above, its bridge forwarding to Kafka at {@code bootstrap}, into the topic named as the device. */
    static Path write(Path dir, String deviceId, int mqttPort, int sensors, int hz, String bootstrap)
            throws IOException {
        StringBuilder yaml = new StringBuilder("""
                device: {id: %s}
                broker: {listener: {port: %d}, data-directory: broker}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: %s
                  retry-backoff-max: 5s
                  routes: [{mqtt-filter: "edge/#", kafka-topic: %s}]
                sensors:
                """.formatted(deviceId, mqttPort, bootstrap, deviceId));
        for (int i = 0; i < sensors; i++) {
            yaml.append("  - {stream: s").append(i).append(", type: simulated-analog, period: ")
                    .append(1000 / hz).append("ms, unit: \"°C\"}\n");
        }
        Path file = dir.resolve("device.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /**
     * Writes {@code <dir>/device.yaml} for a broker with no sensors whose bridge forwards {@code edge/#} to
     * {@code kafkaTopic} at {@code bootstrap} ({@code 127.0.0.1:9} cuts it off), with a 64 MiB segment, 8 GiB spool.
     */
    static Path writeBrokerOnly(Path dir, int mqttPort, String bootstrap, String kafkaTopic) throws IOException {
        return writeBrokerOnly(dir, "bench-pi", mqttPort, bootstrap, kafkaTopic);
    }

    /** As above, for device {@code deviceId}. */
    static Path writeBrokerOnly(Path dir, String deviceId, int mqttPort, String bootstrap, String kafkaTopic)
            throws IOException {
        Path file = dir.resolve("device.yaml");
        Files.writeString(file, """
                device: {id: %s}
                broker: {listener: {port: %d}, data-directory: broker}
                spool: {directory: spool, segment-bytes: 67108864, budget-bytes: 8589934592}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: %s
                  retry-backoff-max: 30s
                  routes: [{mqtt-filter: "edge/#", kafka-topic: %s}]
                sensors: []
                """.formatted(deviceId, mqttPort, bootstrap, kafkaTopic));
        return file;
    }
}
