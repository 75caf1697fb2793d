package dev.edgeline.benchmarks;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * End-to-end latency: one Paho publisher sends QoS 1, 200-byte publishes at a fixed rate (default 2,000/s) into the
 * broker (spool on, exactly-once bridge) and a read_committed Kafka consumer measures the time from publish to
 * consume. The publisher and the consumer share this JVM (one monotonic clock); the broker ({@code bin/edge broker})
 * and Kafka each run in their own JVM, as on a device and in the cloud. Prints p50/p99/p99.9; no pass/fail.
 */
public final class EndToEndHarness {
    private EndToEndHarness() {}

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        WorkDirectory workDirectory = new WorkDirectory("e2e-bench-");
        Path work = workDirectory.path();
        Runtime.getRuntime().addShutdownHook(new Thread(workDirectory::close));
        int mqttPort = LocalProcesses.freePort();
        int kafkaPort = LocalProcesses.freePort();
        Process kafka = LocalProcesses.startJvm(work.resolve("kafka.log"), "dev.edgeline.benchmarks.KafkaProcessMain",
                work.resolve("kafka").toString(), Integer.toString(kafkaPort));
        Path configFile = work.resolve("e2e.yaml");
        Files.writeString(configFile, """
                device: {id: e2e-pi}
                broker: {listener: {port: %d}, data-directory: broker}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: 127.0.0.1:%d
                  routes: [{mqtt-filter: "edge/#", kafka-topic: e2e.readings}]
                sensors: []
                """.formatted(mqttPort, kafkaPort));
        String bootstrap = "127.0.0.1:" + kafkaPort;
        LocalProcesses.awaitPort(kafkaPort, kafka);
        Process broker = LocalProcesses.startJvm(work.resolve("broker.log"), "dev.edgeline.appliance.Main", "broker", "--config",
                configFile.toString(), "--data-dir", work.toString());
        LocalProcesses.awaitPort(mqttPort, broker);
        try {
                int warmup = rate * 5;
                int total = warmup + rate * seconds;
                long[] latencies = new long[total];
                AtomicInteger received = new AtomicInteger();
                AtomicBoolean consuming = new AtomicBoolean(true);
                Thread consumer = Thread.ofPlatform().name("e2e-consumer").start(
                        () -> consume(bootstrap, latencies, received, consuming));
                MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + mqttPort, "e2e-publisher",
                        new MemoryPersistence());
                client.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
                Semaphore window = new Semaphore(256);
                MqttActionListener release = new MqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        window.release();
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable exception) {
                        window.release();
                    }
                };
                long interval = 1_000_000_000L / rate;
                long next = System.nanoTime();
                for (int seq = 0; seq < total; seq++) {
                    next += interval;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    window.acquire();
                    byte[] payload = new byte[200];
                    ByteBuffer.wrap(payload).putLong(System.nanoTime()).putInt(seq);
                    MqttMessage message = new MqttMessage(payload);
                    message.setQos(1);
                    MqttProperties properties = new MqttProperties();
                    properties.setUserProperties(List.of(new UserProperty("device", "e2e-pi"),
                            new UserProperty("stream", "s"), new UserProperty("boot", "1"),
                            new UserProperty("seq", Integer.toString(seq))));
                    message.setProperties(properties);
                    client.publish("edge/e2e-pi/s", message, null, release);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (received.get() < total && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                consuming.set(false);
                consumer.join();
                client.disconnect().waitForCompletion(5_000);
                client.close();
                long[] measured = Arrays.copyOfRange(latencies, warmup, total);
                long missing = Arrays.stream(measured).filter(l -> l == 0).count();
                Arrays.sort(measured);
                System.out.println();
                System.out.printf(Locale.ROOT, "End to end, MQTT QoS 1 publish to read_committed consume, %d msg/s for "
                        + "%d s (after 5 s warm-up), 200-byte payloads, exactly-once bridge%n", rate, seconds);
                System.out.println("| p50 | p99 | p99.9 | max | not received |");
                System.out.println("|---|---|---|---|---|");
                System.out.printf(Locale.ROOT, "| %.1f ms | %.1f ms | %.1f ms | %.1f ms | %d |%n",
                        percentile(measured, missing, 0.50), percentile(measured, missing, 0.99),
                        percentile(measured, missing, 0.999), measured[measured.length - 1] / 1e6, missing);
        } finally {
            broker.destroy();
            broker.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            kafka.destroy();
            kafka.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    private static double percentile(long[] sorted, long missing, double p) {
        int from = (int) missing; // zeros (not received) sort first
        int index = from + (int) Math.min(sorted.length - from - 1, Math.floor(p * (sorted.length - from)));
        return sorted[index] / 1e6;
    }

    private static void consume(String bootstrap, long[] latencies, AtomicInteger received, AtomicBoolean running) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5);
        p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 500);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.subscribe(List.of("e2e.readings"));
            while (running.get()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                    ByteBuffer payload = ByteBuffer.wrap(record.value());
                    long sent = payload.getLong();
                    int seq = payload.getInt();
                    if (seq < latencies.length && latencies[seq] == 0) {
                        latencies[seq] = Math.max(1, System.nanoTime() - sent);
                        received.incrementAndGet();
                    }
                }
            }
        }
    }
}
