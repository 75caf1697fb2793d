package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package) scrapes a running broker with its in-process bridge: the figures it stores are
 * the service's own (records ingested through MQTT, forwarded to Kafka, per-stream lag, fsync count, bridge state).
 */
@Timeout(180)
class PrometheusScrapeIT {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final int RECORDS = 60;

    @Test
    void prometheusScrapesTheBrokersMetrics_andTheyMatchWhatTheServiceDid(@TempDir Path dir) throws Exception {
        assertThat(PROMETHEUS).as("Debian's prometheus package (bin/test installs it: apt-get install prometheus)")
                .isExecutable();
        int metricsPort = TestDevice.freePort();
        int mqttPort = TestDevice.freePort();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), TestDevice.freePort());
             EdgeBrokerService service = EdgeBrokerService.start(MonitoredDevice.config(dir, mqttPort,
                     kafka.bootstrapServers(), "edge.monitored", metricsPort, "2m"))) {
            publish(mqttPort, RECORDS);
            Awaits.until(Duration.ofSeconds(60), () -> service.bridge().forwarded() >= RECORDS,
                    "the bridge to forward " + RECORDS + " records");
            System.gc(); // a gauge that only weakly holds its object would report NaN from now on
            // Half-sent requests, more than the endpoint has workers: they must not stall /health or /metrics.
            List<Socket> halfSent = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Socket socket = new Socket(InetAddress.getLoopbackAddress(), metricsPort);
                socket.getOutputStream()
                        .write("GET /metrics HTTP/1.1\r\nHost: 127.".getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                halfSent.add(socket);
            }
            MonitoredDevice.Response health = MonitoredDevice.get(metricsPort, "/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"pass\"").contains("bridge FORWARDING");
            String metrics = MonitoredDevice.get(metricsPort, "/metrics").body();
            assertThat(metrics).contains("edge_lane_backlog_bytes{").contains("edge_bridge_transaction_seconds_bucket")
                    .contains("edge_stream_lag_records{");
            assertThat(metrics.lines().filter(l -> l.startsWith("edge_") && l.endsWith("NaN")).toList())
                    .as("no meter of ours lost its object").isEmpty();
            assertThat(metrics).contains("edge_broker_refused_publishes_total{device=\"" + MonitoredDevice.DEVICE
                    + "\",reason=\"topic-too-long\",service=\"edge-broker\"} 0.0");
            assertThat(metrics).contains("edge_broker_refused_connections_total{device=\"" + MonitoredDevice.DEVICE
                    + "\",reason=\"not-authorized\",service=\"edge-broker\"} 0.0");
            for (Socket socket : halfSent) {
                socket.setSoTimeout(20_000);
                assertThat(closedByPeer(socket)).as("a half-sent request is closed after its deadline").isTrue();
                socket.close();
            }

            Process prometheus = startPrometheus(dir.resolve("prometheus"), metricsPort);
            try {
                int apiPort = prometheusPort;
                Awaits.until(Duration.ofSeconds(90), () -> query(apiPort, "up{job=\"edge-broker\"}") == 1.0,
                        "Prometheus to scrape the broker (up == 1)");
                Awaits.until(Duration.ofSeconds(30),
                        () -> query(apiPort, "edge_bridge_forwarded_records_total") == RECORDS,
                        "Prometheus to hold edge_bridge_forwarded_records_total = " + RECORDS);
                assertThat(query(apiPort, "edge_spool_appended_records_total")).isEqualTo(RECORDS);
                assertThat(query(apiPort, "edge_spool_fsync_seconds_count")).isPositive();
                assertThat(query(apiPort, "edge_bridge_state{state=\"FORWARDING\"}")).isEqualTo(1.0);
                Awaits.until(Duration.ofSeconds(30), () -> query(apiPort, "sum(edge_lane_backlog_bytes)") == 0.0,
                        "the lanes' backlog to be 0 in Prometheus once the bridge's cursor is written");
                assertThat(query(apiPort, "sum(edge_lane_backlog_records)")).isZero();
                Awaits.until(Duration.ofSeconds(30), () -> query(apiPort,
                                "edge_stream_lag_records{device=\"" + MonitoredDevice.DEVICE + "\",stream=\"s\"}") == 0.0,
                        "the stream's lag to be 0 in Prometheus");
                assertThat(query(apiPort, "edge_streams")).isEqualTo(1.0);
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                }
            }
        }
    }

    private int prometheusPort;

    private Process startPrometheus(Path dir, int metricsPort) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                scrape_configs:
                  - job_name: edge-broker
                    static_configs: [{targets: ["127.0.0.1:%d"]}]
                """.formatted(metricsPort));
        prometheusPort = TestDevice.freePort();
        return new ProcessBuilder(List.of(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + prometheusPort))
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    }

    /** The value of an instant query's first sample, or NaN when there is none (yet) or Prometheus is not up. */
    private static double query(int port, String promql) {
        try {
            MonitoredDevice.Response response = MonitoredDevice.get(port, "/api/v1/query?query="
                    + URLEncoder.encode(promql, StandardCharsets.UTF_8));
            Matcher value = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"]").matcher(response.body());
            return value.find() ? Double.parseDouble(value.group(1)) : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    private static void publish(int port, int count) throws Exception {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "monitored-sensor", new MemoryPersistence());
        try {
            client.connect(new MqttConnectionOptions());
            for (int seq = 0; seq < count; seq++) {
                MqttMessage message = new MqttMessage(("{\"value\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
                message.setQos(1);
                MqttProperties properties = new MqttProperties();
                properties.setUserProperties(List.of(new UserProperty("device", MonitoredDevice.DEVICE),
                        new UserProperty("stream", "s"), new UserProperty("boot", "1"),
                        new UserProperty("seq", Long.toString(seq))));
                message.setProperties(properties);
                client.publish("edge/" + MonitoredDevice.DEVICE + "/s", message);
            }
            client.disconnect();
        } finally {
            client.close();
        }
    }

    /** Whether the peer closes the connection (end of stream or reset) before the socket's read timeout. */
    private static boolean closedByPeer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }
}
