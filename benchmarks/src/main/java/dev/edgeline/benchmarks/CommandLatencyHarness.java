package dev.edgeline.benchmarks;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Command round trip with uplink traffic running: a cloud application produces commands to the device's command topic
 * at a fixed rate (default 10/s), the command bridge stores each on the device and delivers it on the broker, a Paho
 * MQTT 5 responder answers at once, and the result is read back from the results topic with read_committed. Meanwhile
 * a publisher sends readings (default 1,000/s) through the same broker, spool and bridge. Kafka, the broker and the
 * bridge run in their own JVMs as in {@link EndToEndHarness} ({@code -Dbridge.layout=in-process|separate}, default
 * separate: the command bridge runs in the bridge's process); the producer, responder and results reader share this
 * JVM's monotonic clock. Prints, per run, p50/p99/max of Kafka-to-responder (delivery) and Kafka-to-result-in-Kafka
 * (round trip) over the measured window after a warm-up, then the median of the runs with min and max.
 *
 * <p>{@code bin/bench command-latency [commands/s=10] [seconds=60] [warm-up seconds=30] [uplink/s=1000] [runs=3]}.
 * Each run starts fresh services. No pass/fail.
 */
public final class CommandLatencyHarness {
    private static final String DEVICE = "bench-pi";

    private CommandLatencyHarness() {}

    /** One run's figures in milliseconds: delivery and round trip p50, p99, max; commands without a result. */
    private record Run(double deliveryP50, double deliveryP99, double deliveryMax, double roundTripP50,
                       double roundTripP99, double roundTripMax, long missing) {}

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int warmupSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 30;
        int uplink = args.length > 3 ? Integer.parseInt(args[3]) : 1_000;
        int runs = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        CorePinning.pinThisProcessToCloud();
        EdgeServices.BridgeLayout layout = EdgeServices.BridgeLayout.fromProperty();
        List<Run> results = new ArrayList<>();
        String description = "";
        for (int run = 1; run <= runs; run++) {
            Path work = WorkDirectory.deletedAtExit("command-latency-").path();
            RunOutcome outcome = runOnce(work, rate, seconds, warmupSeconds, uplink, layout);
            description = outcome.description();
            results.add(outcome.run());
            System.out.printf(Locale.ROOT, "run %d: delivery p50 %.1f p99 %.1f max %.1f ms; round trip p50 %.1f p99 "
                            + "%.1f max %.1f ms; %d without a result%n", run, outcome.run().deliveryP50(),
                    outcome.run().deliveryP99(), outcome.run().deliveryMax(), outcome.run().roundTripP50(),
                    outcome.run().roundTripP99(), outcome.run().roundTripMax(), outcome.run().missing());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Command round trip, %d command/s to one device with %d readings/s uplink; "
                        + "measured %d s after %d s of warm-up; median of %d runs [min-max]; %s; %s; %s%n", rate,
                uplink, seconds, warmupSeconds, runs, description, CorePinning.describe(),
                LocalProcesses.describeJvmFlags());
        System.out.println("| path | p50 | p99 | max | without a result |");
        System.out.println("|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| Kafka to responder (delivery) | %s | %s | %s | |%n",
                figure(results, Run::deliveryP50), figure(results, Run::deliveryP99), figure(results, Run::deliveryMax));
        System.out.printf(Locale.ROOT, "| Kafka to result in Kafka (round trip) | %s | %s | %s | %s |%n",
                figure(results, Run::roundTripP50), figure(results, Run::roundTripP99),
                figure(results, Run::roundTripMax), results.stream().map(r -> Long.toString(r.missing()))
                        .reduce((a, b) -> a + ", " + b).orElse(""));
    }

    private static String figure(List<Run> runs, java.util.function.ToDoubleFunction<Run> field) {
        List<Double> values = runs.stream().map(field::applyAsDouble).toList();
        return String.format(Locale.ROOT, "%.1f ms [%.1f-%.1f]", Stats.median(values), Stats.min(values),
                Stats.max(values));
    }

    private record RunOutcome(Run run, String description) {}

    private static RunOutcome runOnce(Path work, int rate, int seconds, int warmupSeconds, int uplink,
                                      EdgeServices.BridgeLayout layout) throws Exception {
        int mqttPort = LocalProcesses.freePort();
        int kafkaPort = LocalProcesses.freePort();
        String bootstrap = "127.0.0.1:" + kafkaPort;
        Process kafka = LocalProcesses.startKafka(work.resolve("kafka.log"), work.resolve("kafka"), kafkaPort);
        try {
            createTopics(bootstrap);
            Path configFile = work.resolve("commands.yaml");
            Files.writeString(configFile, """
                    device: {id: %s}
                    broker: {listener: {port: %d}, data-directory: broker}
                    spool: {directory: spool}
                    agent: {state-directory: agent}
                    kafka:
                      bootstrap-servers: %s
                      commands: {enabled: true}
                      routes: [{mqtt-filter: "edge/+/+", kafka-topic: bench.readings}]
                    sensors: []
                    """.formatted(DEVICE, mqttPort, bootstrap));
            EdgeServices services = EdgeServices.start(work, configFile, mqttPort, layout);
            int warmup = rate * warmupSeconds;
            int total = warmup + rate * seconds;
            long[] sentAt = new long[total];
            long[] answeredAt = new long[total];
            long[] resultAt = new long[total];
            AtomicBoolean running = new AtomicBoolean(true);
            Thread uplinkThread = null;
            try (Responder responder = new Responder(mqttPort, answeredAt);
                 ResultReader reader = new ResultReader(bootstrap, resultAt, running);
                 RatePublisher readings = new RatePublisher(mqttPort, DEVICE, "uplink");
                 KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
                uplinkThread = Thread.ofPlatform().name("uplink").start(() -> {
                    try {
                        readings.publish(uplink * (warmupSeconds + seconds + 15), uplink);
                    } catch (MqttException | InterruptedException e) {
                        // the run ended
                    }
                });
                long interval = TimeUnit.SECONDS.toNanos(1) / rate;
                long next = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    next += interval;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    ProducerRecord<byte[], byte[]> command = new ProducerRecord<>("edge.commands." + DEVICE,
                            DEVICE.getBytes(StandardCharsets.UTF_8), "{\"on\":true}".getBytes(StandardCharsets.UTF_8));
                    command.headers().add("command_id", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
                    command.headers().add("target", "relay".getBytes(StandardCharsets.UTF_8));
                    sentAt[i] = System.nanoTime();
                    producer.send(command);
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (Arrays.stream(resultAt).anyMatch(t -> t == 0) && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                running.set(false);
            } finally {
                running.set(false);
                if (uplinkThread != null) {
                    uplinkThread.interrupt();
                }
                services.close();
            }
            return new RunOutcome(summarise(sentAt, answeredAt, resultAt, warmup), services.description());
        } finally {
            kafka.destroy();
            kafka.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Run summarise(long[] sentAt, long[] answeredAt, long[] resultAt, int from) {
        int n = sentAt.length - from;
        long[] delivery = new long[n];
        long[] roundTrip = new long[n];
        long missing = 0;
        for (int i = 0; i < n; i++) {
            int c = from + i;
            delivery[i] = answeredAt[c] == 0 ? Long.MAX_VALUE : answeredAt[c] - sentAt[c];
            roundTrip[i] = resultAt[c] == 0 ? Long.MAX_VALUE : resultAt[c] - sentAt[c];
            missing += resultAt[c] == 0 ? 1 : 0;
        }
        Arrays.sort(delivery);
        Arrays.sort(roundTrip);
        return new Run(ms(delivery, 0.50), ms(delivery, 0.99), ms(delivery, 1.0), ms(roundTrip, 0.50),
                ms(roundTrip, 0.99), ms(roundTrip, 1.0), missing);
    }

    /** The {@code p} quantile in milliseconds; a command that never arrived counts as infinitely late. */
    private static double ms(long[] sorted, double p) {
        long value = sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))];
        return value == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : value / 1e6;
    }

    private static void createTopics(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic("edge.commands." + DEVICE, 1, (short) 1),
                    new NewTopic("edge.command-results", 1, (short) 1),
                    new NewTopic("bench.readings", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    /** Answers every command on {@code edge/<device>/commands/relay} at once, noting when each arrived. */
    private static final class Responder implements AutoCloseable, MqttCallback {
        private final MqttAsyncClient client;
        private final long[] answeredAt;

        Responder(int port, long[] answeredAt) throws MqttException {
            this.answeredAt = answeredAt;
            this.client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "bench-relay", new MemoryPersistence());
            client.setCallback(this);
            client.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
            client.subscribe(new MqttSubscription[] {new MqttSubscription("edge/" + DEVICE + "/commands/relay", 1)},
                    null, null, new MqttProperties()).waitForCompletion(10_000);
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) throws Exception {
            long now = System.nanoTime();
            MqttProperties request = message.getProperties();
            int id = Integer.parseInt(new String(request.getCorrelationData(), StandardCharsets.UTF_8));
            if (id < answeredAt.length && answeredAt[id] == 0) {
                answeredAt[id] = now;
            }
            MqttMessage answer = new MqttMessage("{\"done\":true}".getBytes(StandardCharsets.UTF_8));
            MqttProperties reply = new MqttProperties();
            reply.setCorrelationData(request.getCorrelationData());
            answer.setProperties(reply);
            answer.setQos(1);
            client.publish(request.getResponseTopic(), answer);
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }

        @Override
        public void close() throws MqttException {
            client.disconnect().waitForCompletion(5_000);
            client.close();
        }
    }

    /** Reads the results topic with read_committed on its own thread, noting when each command's result arrived. */
    private static final class ResultReader implements AutoCloseable {
        private final Thread thread;

        ResultReader(String bootstrap, long[] resultAt, AtomicBoolean running) {
            this.thread = Thread.ofPlatform().name("results").start(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer = LatencyConsumer.readCommittedConsumer(bootstrap, 5)) {
                    consumer.subscribe(List.of("edge.command-results"));
                    while (running.get()) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(20))) {
                            long now = System.nanoTime();
                            var header = record.headers().lastHeader("command_id");
                            int id = Integer.parseInt(new String(header.value(), StandardCharsets.UTF_8));
                            if (id < resultAt.length && resultAt[id] == 0) {
                                resultAt[id] = now;
                            }
                        }
                    }
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            thread.join(10_000);
        }
    }
}
