package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.appliance.powercut.PowerCutFileSystem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power cuts at random moments, on a file system that loses what a power cut may lose ({@link PowerCutFileSystem}):
 * the device's whole data directory (broker data, spool, agent state) is on it, the broker runs with its bridge in
 * its own process on even boots and with a separate bridge process on odd ones, a real agent samples three streams
 * at 50 Hz and a third-party client publishes on the same broker. Each cut freezes every service (SIGSTOP), drops
 * everything not durable, kills them and plays a reboot (a new kernel boot id for the agent); then every service is
 * started again and must come up by itself. Some cuts fall during start-up, all of them among segment rotations (64
 * KiB segments), receipts, status and cursor writes, and four during a Kafka outage (Kafka frozen).
 *
 * <p>Commands stream in from Kafka the whole time (two a second, to two targets) and a Paho responder answers them:
 * the command queue ({@code commands/commands.log}) is on the same file system.
 *
 * <p>At the end: every publish the third-party client got a PUBACK for is in Kafka exactly once (read_committed);
 * every command Kafka acknowledged has exactly one result, {@code completed}, and each target's commands reached the
 * responder in the order sent;
 * {@code bin/edge verify} finds no duplicate, nothing out of order and no hole in any stream's seq that a gap
 * marker does not explain; the cuts, restarts and start times are printed.
 */
@Timeout(900)
class PowerCutIT {
    private static final int CUTS = 20;
    private static final String TOPIC = "it.powercut";
    private static final String RESULTS = "it.powercut.command-results";
    private static final Duration START_LIMIT = Duration.ofSeconds(45);

    @Test
    void twentyPowerCuts_everyServiceComesBack_everyAcknowledgedPublishOnceInKafka(@TempDir Path dir) throws Exception {
        Path logs = Files.createDirectories(Path.of("target", "powercut-it-logs").toAbsolutePath()); // kept for reading
        for (String log : List.of("broker.log", "bridge.log", "agent.log", "kafka.log", "powercutfs.log")) {
            Files.deleteIfExists(logs.resolve(log));
        }
        Random random = new Random(Long.getLong("powercut.seed", System.nanoTime()));
        int port = TestDevice.freePort();
        int brokerMonitoring = TestDevice.freePort();
        int bridgeMonitoring = TestDevice.freePort();
        Path bootId = dir.resolve("boot_id");
        Files.writeString(bootId, UUID.randomUUID() + "\n");
        try (PowerCutFileSystem fs = PowerCutFileSystem.mount(dir.resolve("disk"), dir.resolve("device"),
                logs.resolve("powercutfs.log"));
             KafkaChild kafka = KafkaChild.start(dir.resolve("kafka"), logs.resolve("kafka.log"))) {
            Path configFile = dir.resolve("device.yaml");
            Files.writeString(configFile, """
                    device: {id: cut-pi}
                    broker: {listener: {host: 127.0.0.1, port: %d}}
                    spool: {directory: spool, segment-bytes: 65536}
                    agent: {state-directory: agent, reconnect-delay-max: 1s, outbox-sync-interval: 200ms}
                    kafka:
                      bootstrap-servers: %s
                      retry-backoff-max: 1s
                      commands: {enabled: true, results-topic: %s}
                      routes: [{mqtt-filter: "#", kafka-topic: %s}]
                    monitoring: {broker-port: %d, bridge-port: %d, stall-after: 10m}
                    sensors:
                      - {stream: temperature, type: simulated-analog, period: 20ms, unit: "°C"}
                      - {stream: humidity, type: simulated-analog, period: 20ms, unit: "%%RH"}
                      - {stream: door, type: simulated-digital, period: 20ms}
                    """.formatted(port, kafka.bootstrapServers(), RESULTS, TOPIC, brokerMonitoring, bridgeMonitoring));
            createCommandTopics(kafka.bootstrapServers());
            Device device = new Device(configFile, fs.root(), logs, bootId, port, bridgeMonitoring);
            ThirdPartyPublisher thirdParty = new ThirdPartyPublisher(port);
            List<String> starts = new ArrayList<>();
            Map<String, Long> copies = new ConcurrentHashMap<>();
            try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                    List.of(TOPIC), seen -> copies.merge(seen.payload(), 1L, Long::sum));
                 CommandLoad commands = new CommandLoad(kafka.bootstrapServers(), "cut-pi", port, 2,
                         Duration.ofMillis(500), Integer.MAX_VALUE)) {
                collector.start();
                starts.add("first start: " + device.start(0));
                thirdParty.start();
                commands.start();
                Awaits.until(Duration.ofSeconds(90), () -> collector.distinctCount() > 300, "records in Kafka");
                boolean kafkaFrozen = false;
                for (int cut = 1; cut <= CUTS; cut++) {
                    long runMillis = cut % 4 == 0 ? random.nextInt(2_500) : 500 + random.nextInt(5_000);
                    Thread.sleep(runMillis); // a cut with a run under the start time falls during start-up
                    if (cut == 9) {
                        kafka.freeze();
                        kafkaFrozen = true;
                    }
                    String lost = device.powerCut(fs);
                    Files.writeString(bootId, UUID.randomUUID() + "\n"); // the machine boots again
                    if (cut == 13) {
                        kafka.thaw();
                        kafkaFrozen = false;
                    }
                    starts.add("cut " + cut + " after " + runMillis + " ms" + (kafkaFrozen ? " (Kafka frozen)" : "")
                            + ", lost " + lost + "; start: " + device.start(cut));
                }
                Thread.sleep(3_000);
                thirdParty.stop();
                commands.stopSending();
                device.stopCleanly(); // the agent stops sampling and drains its outbox first
                device.start(CUTS + 1);
                List<String> commandsSent = commands.sent();
                Map<String, List<com.fasterxml.jackson.databind.JsonNode>> results = CommandTestClients.results(
                        kafka.bootstrapServers(), RESULTS, commandsSent.size(), Duration.ofSeconds(180),
                        Duration.ofSeconds(2));
                Awaits.until(Duration.ofSeconds(120), () -> thirdParty.acknowledged().stream()
                        .allMatch(n -> copies.containsKey(ThirdPartyPublisher.payload(n))),
                        "every acknowledged third-party publish in Kafka");
                Thread.sleep(2_000);
                device.stopCleanly();
                String verify = verify(kafka.bootstrapServers());
                System.out.println("[PowerCutIT] " + CUTS + " cuts, " + (CUTS + 2) + " starts of each service:\n  "
                        + String.join("\n  ", starts) + "\n" + verify + "\nthird party: "
                        + thirdParty.acknowledged().size() + " acknowledged of " + thirdParty.sent() + " sent");
                assertThat(device.slowStarts()).as("starts slower than " + START_LIMIT).isEmpty();
                for (long n : thirdParty.acknowledged()) {
                    assertThat(copies.get(ThirdPartyPublisher.payload(n))).as("copies of acknowledged publish " + n)
                            .isEqualTo(1L);
                }
                assertThat(collector.duplicates()).as("duplicates in Kafka").isZero();
                assertThat(verify).contains("verify: OK");
                System.out.println("[PowerCutIT] commands: " + commandsSent.size() + " sent, " + results.size()
                        + " with a result, " + commands.received().size() + " deliveries to the responder");
                assertThat(results.keySet()).as("a result for every command Kafka acknowledged")
                        .containsAll(commandsSent);
                results.forEach((id, list) -> {
                    assertThat(list).as("results of %s", id).hasSize(1);
                    assertThat(list.get(0).get("state").asText()).as("state of %s: %s", id, list.get(0))
                            .isEqualTo("completed");
                });
                for (int t = 0; t < 2; t++) {
                    String target = "t" + t;
                    List<String> sentToTarget = commandsSent.stream()
                            .filter(id -> Integer.parseInt(id.substring(1)) % 2 == Integer.parseInt(target.substring(1)))
                            .toList();
                    assertThat(new ArrayList<>(new java.util.LinkedHashSet<>(commands.receivedPerTarget()
                            .getOrDefault(target, List.of())))).as("target %s: in the order sent", target)
                            .containsExactlyElementsOf(sentToTarget);
                }
            } finally {
                thirdParty.stop();
                device.killAll();
            }
        }
    }

    private static void createCommandTopics(String bootstrap) throws Exception {
        java.util.Properties p = new java.util.Properties();
        p.put("bootstrap.servers", bootstrap);
        try (var admin = org.apache.kafka.clients.admin.Admin.create(p)) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("edge.commands.cut-pi", 1, (short) 1),
                    new org.apache.kafka.clients.admin.NewTopic(RESULTS, 1, (short) 1))).all().get();
        }
    }

    private static String verify(String bootstrap) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Main.run(List.of("verify", "--bootstrap", bootstrap, "--topic", TOPIC), print, print);
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The device's three services as child processes on the power-cut file system. */
    private static final class Device {
        private final Path configFile;
        private final Path dataDir;
        private final Path logs;
        private final Path bootId;
        private final int mqttPort;
        private final int bridgeMonitoring;
        private final List<String> slowStarts = new ArrayList<>();
        private Process broker;
        private Process bridge;
        private Process agent;

        Device(Path configFile, Path dataDir, Path logs, Path bootId, int mqttPort, int bridgeMonitoring) {
            this.configFile = configFile;
            this.dataDir = dataDir;
            this.logs = logs;
            this.bootId = bootId;
            this.mqttPort = mqttPort;
            this.bridgeMonitoring = bridgeMonitoring;
        }

        /** Starts every service (bridge in-process on even boots); returns how long each took to serve. */
        String start(int boot) throws Exception {
            boolean separate = boot % 2 == 1;
            long began = System.nanoTime();
            broker = ChildService.start("broker", configFile, dataDir, logs.resolve("broker.log"), "--bridge",
                    separate ? "separate" : "in-process");
            if (separate) {
                bridge = ChildService.start("bridge", configFile, dataDir, logs.resolve("bridge.log"));
            }
            agent = ChildService.start(List.of("-Dedgeline.kernel-boot-id-file=" + bootId), "agent", configFile,
                    dataDir, logs.resolve("agent.log"));
            Duration brokerStart = awaitServing("broker", began, () -> TestDevice.listening(mqttPort), broker);
            String times = "broker " + brokerStart.toMillis() + " ms";
            if (separate) {
                Duration bridgeStart = awaitServing("bridge", began, () -> TestDevice.listening(bridgeMonitoring),
                        bridge);
                times += ", separate bridge " + bridgeStart.toMillis() + " ms";
            } else {
                times += " (bridge in-process)";
            }
            if (!agent.isAlive()) {
                throw new AssertionError("the agent exited with " + agent.exitValue() + " at boot " + boot
                        + " (see " + logs.resolve("agent.log") + ")");
            }
            return times;
        }

        private Duration awaitServing(String name, long began, java.util.function.BooleanSupplier serving,
                                      Process process) throws InterruptedException {
            long deadline = began + TimeUnit.SECONDS.toNanos(120);
            while (!serving.getAsBoolean()) {
                if (!process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue() + " instead of starting"
                            + " (see " + logs + ")");
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(name + " did not start within 120 s (see " + logs + ")");
                }
                Thread.sleep(20);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - began);
            if (took.compareTo(START_LIMIT) > 0) {
                slowStarts.add(name + " " + took.toMillis() + " ms");
            }
            return took;
        }

        /** Freeze everything, drop what is not durable, kill everything, power on; returns what was not durable. */
        String powerCut(PowerCutFileSystem fs) throws Exception {
            for (Process p : running()) {
                signal(p, "STOP");
            }
            String notDurable = fs.state().replaceAll(".*(dirty_bytes=\\d+) (pending_directory_changes=\\d+).*",
                    "$1 $2");
            fs.powerOff();
            killAll();
            fs.powerOn();
            return notDurable;
        }

        void stopCleanly() throws InterruptedException {
            ChildService.stop(agent);
            if (bridge != null && bridge.isAlive()) {
                ChildService.stop(bridge);
            }
            ChildService.stop(broker);
        }

        void killAll() throws InterruptedException {
            for (Process p : running()) {
                p.destroyForcibly();
            }
            for (Process p : running()) {
                p.waitFor(30, TimeUnit.SECONDS);
            }
            bridge = null;
        }

        private List<Process> running() {
            List<Process> all = new ArrayList<>();
            for (Process p : new Process[] {broker, bridge, agent}) {
                if (p != null && p.isAlive()) {
                    all.add(p);
                }
            }
            return all;
        }

        List<String> slowStarts() {
            return slowStarts;
        }

        private static void signal(Process process, String name) throws IOException, InterruptedException {
            new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start()
                    .waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A third-party device on the LAN: an MQTT 5 client without identity properties (the broker assigns one),
     * publishing QoS 1 messages {@code tp-<n>} with up to 32 in flight, each once: what was acknowledged must be in
     * Kafka once; what was not may be there at most once. Reconnects with a clean start after every connection loss.
     */
    private static final class ThirdPartyPublisher {
        private final int port;
        private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        private final AtomicLong next = new AtomicLong();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Semaphore inFlight = new Semaphore(32);
        private Thread thread;

        ThirdPartyPublisher(int port) {
            this.port = port;
        }

        static String payload(long n) {
            return "{\"tp\":" + n + "}";
        }

        void start() {
            thread = Thread.ofPlatform().name("third-party").start(this::run);
        }

        private void run() {
            while (running.get()) {
                MqttAsyncClient client = null;
                try {
                    client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "esp32-cut", new MemoryPersistence());
                    MqttConnectionOptions options = new MqttConnectionOptions();
                    options.setCleanStart(true);
                    options.setConnectionTimeout(5);
                    client.connect(options).waitForCompletion(10_000);
                    while (running.get() && client.isConnected()) {
                        if (!inFlight.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        long n = next.getAndIncrement();
                        MqttMessage message = new MqttMessage(payload(n).getBytes(StandardCharsets.UTF_8));
                        message.setQos(1);
                        try {
                            client.publish("lan/esp32-cut/reading", message, null, new MqttActionListener() {
                                @Override
                                public void onSuccess(IMqttToken token) {
                                    if (token.getReasonCodes() == null || token.getReasonCodes()[0] < 0x80) {
                                        acknowledged.add(n);
                                    }
                                    inFlight.release();
                                }

                                @Override
                                public void onFailure(IMqttToken token, Throwable error) {
                                    inFlight.release();
                                }
                            });
                        } catch (Exception notSent) {
                            inFlight.release();
                        }
                        Thread.sleep(2);
                    }
                } catch (Exception brokerGone) {
                    sleepQuietly();
                } finally {
                    closeQuietly(client);
                }
                inFlight.drainPermits();
                inFlight.release(32);
            }
        }

        private static void closeQuietly(MqttAsyncClient client) {
            if (client == null) {
                return;
            }
            try {
                client.disconnectForcibly(0, 0, false);
            } catch (Exception ignored) {
                // already gone
            }
            try {
                client.close(true);
            } catch (Exception ignored) {
                // already closed
            }
        }

        private static void sleepQuietly() {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        long sent() {
            return next.get();
        }

        Set<Long> acknowledged() {
            return acknowledged;
        }

        void stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join(30_000);
            }
        }
    }
}
