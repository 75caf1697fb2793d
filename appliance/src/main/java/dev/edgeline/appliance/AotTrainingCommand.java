package dev.edgeline.appliance;

import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.InvalidConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * {@code edge aot-train}: a short run of everything the broker and bridge services do at start and under load, in this
 * JVM, for the JDK's ahead-of-time cache (JEP 483 and JEP 514/515 in Java 25). Started with
 * {@code -XX:AOTCacheOutput=FILE}, the JVM writes as it exits the classes this run loaded and linked, and the profiles of
 * its hot methods; services started with {@code -XX:AOTCache=FILE} (the same Java, class path and garbage collector)
 * then skip that work. Provisioning runs it on the device, once per release and Java.
 *
 * <p>The run: a device configuration in a temporary directory (deleted afterwards), the spool, the MQTT broker on a
 * free loopback port and the bridge in-process, its Kafka at {@code 127.0.0.1:9} (closed: the producer loads its
 * classes and retries; nothing leaves the device), monitoring's {@code /health} and {@code /metrics} read once, and
 * 2,000 QoS 1 publishes from an MQTT 5 client, each acknowledged once on disk. Exit 0 when every publish was
 * acknowledged, 1 otherwise.
 */
final class AotTrainingCommand {
    private static final int PUBLISHES = 2_000;
    private static final int IN_FLIGHT = 100;
    private static final String DEVICE = "aot-training";

    private final PrintStream out;
    private final PrintStream err;

    AotTrainingCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        if (!args.isEmpty()) {
            throw new Arguments.UsageException("takes no arguments (run it with -XX:AOTCacheOutput=FILE)");
        }
        long start = System.nanoTime();
        Path directory = null;
        try {
            directory = Files.createTempDirectory("edge-aot-training-");
            int mqttPort = freeLoopbackPort();
            int monitoringPort = freeLoopbackPort();
            DeviceConfig config = ConfigLoader.load(writeConfig(directory, mqttPort, monitoringPort), directory);
            int acknowledged;
            try (EdgeBrokerService service = EdgeBrokerService.start(config)) {
                acknowledged = publish(mqttPort);
                readMonitoring(monitoringPort);
            }
            out.printf(java.util.Locale.ROOT, "aot-train: %,d of %,d publishes acknowledged in %.1f s%n", acknowledged,
                    PUBLISHES, (System.nanoTime() - start) / 1e9);
            return acknowledged == PUBLISHES ? ExitCodes.OK : ExitCodes.FAILURE;
        } catch (IOException | MqttException | InvalidConfigException e) {
            err.println("edge aot-train: " + e);
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        } finally {
            deleteQuietly(directory);
        }
    }

    private static Path writeConfig(Path directory, int mqttPort, int monitoringPort) throws IOException {
        Path file = directory.resolve("device.yaml");
        Files.writeString(file, """
                device: {id: %s}
                broker: {listener: {host: 127.0.0.1, port: %d}, data-directory: broker}
                spool: {directory: spool, segment-bytes: 1048576, budget-bytes: 67108864}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: 127.0.0.1:9
                  routes: [{mqtt-filter: "edge/#", kafka-topic: aot-training}]
                monitoring: {host: 127.0.0.1, broker-port: %d, bridge-port: %d}
                sensors: []
                """.formatted(DEVICE, mqttPort, monitoringPort, freeLoopbackPort()), StandardCharsets.UTF_8);
        return file;
    }

    /** Publishes {@link #PUBLISHES} records of two streams, at most {@link #IN_FLIGHT} unacknowledged. */
    private static int publish(int port) throws MqttException, InterruptedException {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "aot-training",
                new MemoryPersistence());
        try {
            client.connect(new MqttConnectionOptions()).waitForCompletion(30_000);
            java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(IN_FLIGHT);
            CountDownLatch done = new CountDownLatch(PUBLISHES);
            AtomicInteger acknowledged = new AtomicInteger();
            MqttActionListener onAck = new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    if (codes == null || codes.length == 0 || codes[0] < 0x80) {
                        acknowledged.incrementAndGet();
                    }
                    window.release();
                    done.countDown();
                }

                @Override
                public void onFailure(IMqttToken token, Throwable exception) {
                    window.release();
                    done.countDown();
                }
            };
            for (int seq = 0; seq < PUBLISHES; seq++) {
                String stream = "training-" + (seq % 2);
                MqttMessage message = new MqttMessage(("{\"v\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
                message.setQos(1);
                MqttProperties properties = new MqttProperties();
                properties.setUserProperties(List.of(new UserProperty("device", DEVICE),
                        new UserProperty("stream", stream), new UserProperty("boot", "1"),
                        new UserProperty("seq", Integer.toString(seq / 2))));
                message.setProperties(properties);
                window.acquire();
                client.publish("edge/" + DEVICE + "/" + stream, message, null, onAck);
            }
            if (!done.await(120, TimeUnit.SECONDS)) {
                System.err.printf(java.util.Locale.ROOT, "aot-train: %,d publishes unanswered after 120 s%n",
                        done.getCount());
            }
            return acknowledged.get();
        } finally {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
            client.close();
        }
    }

    private static void readMonitoring(int port) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            for (String path : List.of("/health", "/metrics")) {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
            }
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            err.println("edge aot-train: could not delete " + directory + ": " + e.getMessage());
        }
    }
}
