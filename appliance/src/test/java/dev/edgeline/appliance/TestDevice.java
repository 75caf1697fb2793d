package dev.edgeline.appliance;

import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.InvalidConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;

/** Device configs for the integration tests, written as YAML and loaded by the real loader. */
public final class TestDevice {
    public static final String DEVICE = "it-pi-0007";

    private TestDevice() {}

    /** Three simulated streams sampled every {@code periodMillis}, all routed to {@code topic}. */
    public static DeviceConfig config(Path dataDir, int mqttPort, String kafkaBootstrap, String topic, int periodMillis) {
        try {
            return ConfigLoader.parse(Path.of("it.yaml"), yaml(mqttPort, kafkaBootstrap, topic, periodMillis), dataDir);
        } catch (InvalidConfigException e) {
            throw new AssertionError(e.getMessage(), e);
        }
    }

    /** The YAML of {@link #config}. */
    public static String yaml(int mqttPort, String kafkaBootstrap, String topic, int periodMillis) {
        return """
                device:
                  id: %s
                  site: test-rack
                broker:
                  listener:
                    host: 127.0.0.1
                    port: %d
                  data-directory: broker
                spool:
                  directory: spool
                  segment-bytes: 262144
                  budget-bytes: 268435456
                agent:
                  state-directory: agent
                  max-in-flight: 64
                  reconnect-delay-max: 500ms
                kafka:
                  bootstrap-servers: %s
                  batch-records: 500
                  retry-backoff-max: 1s
                  routes:
                    - mqtt-filter: "edge/+/+"
                      kafka-topic: %s
                sensors:
                  - stream: temperature
                    type: simulated-analog
                    period: %dms
                    unit: "°C"
                  - stream: humidity
                    type: simulated-analog
                    period: %dms
                    unit: "%%RH"
                  - stream: door
                    type: simulated-digital
                    period: %dms
                """.formatted(DEVICE, mqttPort, kafkaBootstrap, topic, periodMillis, periodMillis, periodMillis);
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether something accepts connections on the loopback port. */
    public static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
