package dev.edgeline.appliance;

import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A device config with a monitoring endpoint, for the monitoring tests, and a small HTTP GET. */
final class MonitoredDevice {
    static final String DEVICE = "pi-monitored";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private MonitoredDevice() {}

    /** One lane, everything under edge/ routed to {@code topic}, monitoring on {@code monitoringPort}. */
    static DeviceConfig config(Path dir, int mqttPort, String bootstrap, String topic, int monitoringPort,
                               String stallAfter) throws Exception {
        Path file = dir.resolve("device.yaml");
        Files.writeString(file, """
                device: {id: %s}
                broker: {listener: {port: %d}, data-directory: broker}
                spool: {directory: spool, segment-bytes: 262144, budget-bytes: 67108864}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: %s
                  batch-records: 100
                  retry-backoff-max: 1s
                  routes: [{mqtt-filter: "edge/#", kafka-topic: %s}]
                monitoring: {host: 127.0.0.1, broker-port: %d, bridge-port: %d, stall-after: %s}
                sensors: []
                """.formatted(DEVICE, mqttPort, bootstrap, topic, monitoringPort, TestDevice.freePort(),
                stallAfter));
        return ConfigLoader.load(file, dir);
    }

    /** GET http://127.0.0.1:port/path: the status code and the body. */
    static Response get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body());
    }

    record Response(int status, String body) {}
}
