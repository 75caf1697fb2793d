package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.edgeline.appliance.ops.DeliveryCheck;
import dev.edgeline.bridge.BridgeStatus;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk under a running broker with its in-process bridge and a steady Paho publisher: the spool lives on an
 * 8 MiB tmpfs mounted for the test (needs root, as on the CI machine; skipped, saying why, elsewhere) and a filler
 * file takes the last free byte. The bridge cannot write its cursor: it reports {@code SPOOL_UNAVAILABLE} with the
 * error (and health fails naming it) instead of stopping; publishes are refused, not acknowledged; once the filler is
 * deleted the bridge resumes by itself, and every acknowledged publish is in Kafka exactly once.
 */
@Timeout(240)
class DiskFullIT {
    @TempDir
    Path dir;
    private Path mountPoint;
    private boolean mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            Process umount = new ProcessBuilder("umount", "-l", mountPoint.toString()).redirectErrorStream(true)
                    .start();
            umount.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullDiskPausesTheBridge_namesTheError_andForwardingResumesWhenSpaceReturns() throws Exception {
        mountPoint = Files.createDirectory(dir.resolve("mnt"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mountPoint.toString())
                .redirectErrorStream(true).start();
        mounted = mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root): "
                + new String(mount.getInputStream().readAllBytes()).trim());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            int port = TestDevice.freePort();
            DeviceConfig config = ConfigLoader.parse(Path.of("it.yaml"), """
                    device: {id: full-pi}
                    broker: {listener: {host: 127.0.0.1, port: %d}, data-directory: broker}
                    spool: {directory: %s, segment-bytes: 262144, budget-bytes: 6291456}
                    agent: {state-directory: agent}
                    kafka:
                      bootstrap-servers: %s
                      retry-backoff-max: 1s
                      routes:
                        - {mqtt-filter: "lan/#", kafka-topic: it.full}
                        - {mqtt-filter: "edge/#", kafka-topic: it.health}
                    sensors: []
                    """.formatted(port, mountPoint.resolve("spool"), kafka.bootstrapServers()), dir);
            Map<String, Integer> inKafka = new ConcurrentHashMap<>();
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicLong refused = new AtomicLong();
            try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                    List.of("it.full"), seen -> inKafka.merge(seen.payload(), 1, Integer::sum));
                 EdgeBrokerService service = EdgeBrokerService.start(config)) {
                collector.start();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                SteadyPublisher publisher = new SteadyPublisher(port, acknowledged, refused, failure);
                Thread thread = Thread.ofPlatform().name("steady").start(publisher);
                Awaits.until(Duration.ofSeconds(60), () -> inKafka.size() >= 200, "200 publishes in Kafka");

                long filled = fill(mountPoint.resolve("filler"));
                Awaits.until(Duration.ofSeconds(60),
                        () -> service.bridge().status().state().equals("SPOOL_UNAVAILABLE"),
                        "the bridge to report the full disk (filler of " + filled + " bytes)");
                BridgeStatus full = service.bridge().status();
                assertThat(full.lastError()).contains("No space left on device");
                assertThat(new DeliveryCheck(Duration.ofMinutes(5)).problems(full, System.currentTimeMillis()))
                        .anySatisfy(problem -> assertThat(problem).contains("SPOOL_UNAVAILABLE")
                                .contains("No space left on device"));
                long refusedWhileFull = refused.get();
                Awaits.until(Duration.ofSeconds(30), () -> refused.get() > refusedWhileFull + 20,
                        "publishes to be refused while the disk is full");
                Thread.sleep(3_000); // several retries of the bridge while the disk stays full
                assertThat(service.bridge().status().state()).isEqualTo("SPOOL_UNAVAILABLE");

                Files.delete(mountPoint.resolve("filler"));
                int before = acknowledged.size();
                Awaits.until(Duration.ofSeconds(60), () -> service.bridge().status().state().equals("FORWARDING")
                                && acknowledged.size() > before + 200,
                        "the bridge to forward again by itself and publishes to be acknowledged again");
                publisher.stop();
                thread.join(Duration.ofSeconds(30));
                assertThat(failure.get()).isNull();
                Awaits.until(Duration.ofSeconds(60), () -> acknowledged.stream().allMatch(inKafka::containsKey),
                        "every acknowledged publish in Kafka");
                Thread.sleep(1_000); // room for late duplicates
                assertThat(inKafka.values()).as("no duplicates").allMatch(count -> count == 1);
                assertThat(service.bridge().status().lastError()).isEmpty();
                System.out.printf("disk full: %d acknowledged, %d refused, all in Kafka once%n", acknowledged.size(),
                        refused.get());
            }
        }
    }

    /** Writes until the file system is full; returns how much was written. */
    private static long fill(Path filler) throws IOException {
        long written = 0;
        byte[] chunk = new byte[16 << 10];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                written += chunk.length;
            }
        } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
                throw e;
            }
        }
        return written;
    }

    /** A Paho MQTT 5 client publishing numbered QoS 1 messages one after another, reconnecting when dropped. */
    private static final class SteadyPublisher implements Runnable {
        private final int port;
        private final Set<String> acknowledged;
        private final AtomicLong refused;
        private final AtomicReference<Throwable> failure;
        private volatile boolean running = true;

        SteadyPublisher(int port, Set<String> acknowledged, AtomicLong refused, AtomicReference<Throwable> failure) {
            this.port = port;
            this.acknowledged = acknowledged;
            this.refused = refused;
            this.failure = failure;
        }

        void stop() {
            running = false;
        }

        @Override
        public void run() {
            try {
                MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "steady",
                        new MemoryPersistence());
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setConnectionTimeout(10);
                client.connect(options).waitForCompletion(15_000);
                for (long n = 0; running; n++) {
                    String payload = "{\"n\":" + n + "}";
                    MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
                    message.setQos(1);
                    try {
                        if (!client.isConnected()) {
                            client.connect(options).waitForCompletion(15_000);
                        }
                        IMqttToken token = client.publish("lan/steady/reading", message);
                        token.waitForCompletion(15_000);
                        if (token.getReasonCodes()[0] < 0x80) {
                            acknowledged.add(payload);
                        } else {
                            refused.incrementAndGet();
                        }
                    } catch (org.eclipse.paho.mqttv5.common.MqttException e) {
                        refused.incrementAndGet(); // disconnected: the publish was not acknowledged
                        Thread.sleep(100);
                    }
                    Thread.sleep(5);
                }
                client.disconnect().waitForCompletion(5_000);
                client.close();
            } catch (Exception e) {
                failure.set(e);
            }
        }
    }
}
