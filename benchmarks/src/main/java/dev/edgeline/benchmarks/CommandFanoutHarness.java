package dev.edgeline.benchmarks;

import dev.edgeline.kafka.embedded.EmbeddedKafkaCluster;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * {@code bin/bench command-fanout [devices...] [commands/s per device] [seconds]} (default 100 and 1,000 devices, 1
 * command/s each, 30 s after 10 s of warm-up): what reading its commands costs a device as the fleet grows, against
 * a 3-broker KRaft cluster in this JVM (replication 3). Each device is what the command bridge runs: a read_committed
 * consumer with the bridge's fetch settings, on its own thread. Two layouts: one command topic per device (one
 * partition; what the command bridge reads) and one shared topic of 12 partitions keyed by device (each device reads
 * its key's partition and skips the others' commands). Prints per device: records fetched and its own commands per
 * second, fetch requests per second, the CPU of its consumer thread, and the latency from send to receipt of its own
 * commands; and the whole JVM's CPU (brokers included). Rounds alternate the layouts. {@code -Dfanout.fetch.wait=MS}
 * (through {@code BENCH_JAVA_OPTS}) compares another {@code fetch.max.wait.ms}, {@code -Dfanout.warmup=S} another
 * warm-up, {@code -Dfanout.replication=N} another replication factor.
 */
public final class CommandFanoutHarness {
    private static final int SHARED_PARTITIONS = 12;
    private static final int PAYLOAD_BYTES = 100;
    /** As the command bridge's consumer: a fetch waits this long for data when there is none. */
    static final int FETCH_MAX_WAIT_MS = Integer.getInteger("fanout.fetch.wait", 5_000);

    static final int WARM_UP_SECONDS = Integer.getInteger("fanout.warmup", 10);
    static final short REPLICATION = Short.parseShort(System.getProperty("fanout.replication", "3"));

    private CommandFanoutHarness() {}

    private record Row(String layout, int devices, double fetchedPerDevice, double ownPerDevice,
                       double fetchRequestsPerDevice, double cpuMsPerDevicePerSecond, double jvmCpuPercent,
                       long p50Micros, long p99Micros) {}

    public static void main(String[] args) throws Exception {
        List<Integer> fleets = new ArrayList<>();
        double rate = 1;
        int seconds = 30;
        for (String arg : args) {
            if (arg.startsWith("--rate=")) {
                rate = Double.parseDouble(arg.substring(7));
            } else if (arg.startsWith("--seconds=")) {
                seconds = Integer.parseInt(arg.substring(10));
            } else {
                fleets.add(Integer.parseInt(arg));
            }
        }
        if (fleets.isEmpty()) {
            fleets = List.of(100, 1_000);
        }
        WorkDirectory work = WorkDirectory.deletedAtExit("command-fanout-");
        List<Row> rows = new ArrayList<>();
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(work.path().resolve("kafka"), 3)) {
            int run = 0;
            for (int devices : fleets) {
                boolean perDeviceFirst = run % 2 == 0;
                for (boolean perDevice : perDeviceFirst ? List.of(true, false) : List.of(false, true)) {
                    rows.add(run(cluster.bootstrapServers(), "r" + run++, devices, perDevice, rate, seconds));
                    System.err.println("command-fanout: " + rows.getLast());
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nCommand fan-out, %s, 3 Kafka brokers (replication " + REPLICATION + ") and every device in this JVM (%d CPUs);"
                + " %.1f command(s)/s per device, %d-byte payloads; each device a read_committed consumer on its own "
                + "thread (fetch.max.wait.ms %d); %d s measured after %d s%n", java.time.LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), rate, PAYLOAD_BYTES, FETCH_MAX_WAIT_MS, seconds,
                WARM_UP_SECONDS);
        System.out.println("| layout | devices | records fetched per device/s | its own commands per device/s | fetch "
                + "requests per device/s | device CPU ms per device per s | whole JVM CPU (brokers too) | own "
                + "command latency p50 | p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "| %s | %,d | %.2f | %.2f | %.2f | %.3f | %.0f%% | %.1f ms | %.1f ms |%n",
                    r.layout(), r.devices(), r.fetchedPerDevice(), r.ownPerDevice(), r.fetchRequestsPerDevice(),
                    r.cpuMsPerDevicePerSecond(), r.jvmCpuPercent(), r.p50Micros() / 1000.0, r.p99Micros() / 1000.0);
        }
    }

    private static String device(int d) {
        return String.format(Locale.ROOT, "pi-%05d", d);
    }

    private static Row run(String bootstrap, String runId, int devices, boolean perDevice, double rate, int seconds)
            throws Exception {
        String prefix = "fanout." + runId + ".";
        String shared = prefix + "shared";
        try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            if (perDevice) {
                for (int d = 0; d < devices; d++) {
                    topics.add(new NewTopic(prefix + device(d), 1, REPLICATION));
                }
            } else {
                topics.add(new NewTopic(shared, SHARED_PARTITIONS, REPLICATION));
            }
            for (int i = 0; i < topics.size(); i += 200) {
                admin.createTopics(topics.subList(i, Math.min(topics.size(), i + 200))).all().get(120,
                        TimeUnit.SECONDS);
            }
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicLong fetched = new AtomicLong();
        AtomicLong own = new AtomicLong();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        List<DeviceReader> readers = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            String device = device(d);
            TopicPartition partition = perDevice ? new TopicPartition(prefix + device, 0)
                    : new TopicPartition(shared, Utils.toPositive(Utils.murmur2(device.getBytes(StandardCharsets.UTF_8)))
                    % SHARED_PARTITIONS);
            readers.add(new DeviceReader(bootstrap, device, partition, running, measuring, fetched, own, latencies));
        }
        readers.forEach(DeviceReader::start);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            double perTick = devices * rate / 100.0; // one tick every 10 ms
            double sent = 0;
            long sentWhole = 0;
            int next = 0;
            long cpuStart = 0;
            long jvmCpuStart = 0;
            double[] fetchRequestsStart = null;
            long tick = start;
            while (System.nanoTime() < end) {
                if (!measuring.get() && System.nanoTime() >= measureFrom) {
                    fetchRequestsStart = readers.stream().mapToDouble(DeviceReader::fetchRequests).toArray();
                    cpuStart = readers.stream().mapToLong(r -> r.cpuNanos(threads)).sum();
                    jvmCpuStart = os.getProcessCpuTime();
                    measuring.set(true);
                }
                sent += perTick;
                for (long due = (long) sent; sentWhole < due; sentWhole++) {
                    String device = device(next);
                    next = (next + 1) % devices;
                    byte[] value = ByteBuffer.allocate(PAYLOAD_BYTES).putLong(System.nanoTime()).array();
                    producer.send(new ProducerRecord<>(perDevice ? prefix + device : shared,
                            device.getBytes(StandardCharsets.UTF_8), value));
                }
                tick += 10_000_000L;
                long sleep = tick - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            measuring.set(false);
            long cpu = readers.stream().mapToLong(r -> r.cpuNanos(threads)).sum() - cpuStart;
            long jvmCpu = os.getProcessCpuTime() - jvmCpuStart;
            double fetchRequests = 0;
            for (int i = 0; i < readers.size(); i++) {
                fetchRequests += readers.get(i).fetchRequests() - fetchRequestsStart[i];
            }
            running.set(false);
            for (DeviceReader reader : readers) {
                reader.join();
            }
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            double perDeviceSecond = (double) devices * seconds;
            return new Row(perDevice ? "topic per device" : "shared topic, " + SHARED_PARTITIONS + " partitions",
                    devices, fetched.get() / perDeviceSecond, own.get() / perDeviceSecond,
                    fetchRequests / perDeviceSecond, cpu / 1e6 / perDeviceSecond,
                    100.0 * jvmCpu / (seconds * 1e9 * Runtime.getRuntime().availableProcessors()),
                    percentile(sorted, 0.50), percentile(sorted, 0.99));
        }
    }

    private static long percentile(long[] sorted, double q) {
        return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** One device: a read_committed consumer on its partition, on its own thread, counting what it reads. */
    private static final class DeviceReader {
        private final Thread thread;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final byte[] key;
        private volatile Metric fetchTotal;

        DeviceReader(String bootstrap, String device, TopicPartition partition, AtomicBoolean running,
                     AtomicBoolean measuring, AtomicLong fetched, AtomicLong own, ConcurrentLinkedQueue<Long> latencies) {
            Properties c = new Properties();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.CLIENT_ID_CONFIG, "edge-commands-" + device);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            this.key = device.getBytes(StandardCharsets.UTF_8);
            consumer.assign(List.of(partition));
            this.thread = new Thread(() -> {
                try {
                    while (running.get()) {
                        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                            if (!measuring.get()) {
                                continue;
                            }
                            fetched.incrementAndGet();
                            if (Arrays.equals(record.key(), key)) {
                                own.incrementAndGet();
                                latencies.add((System.nanoTime() - ByteBuffer.wrap(record.value()).getLong()) / 1_000);
                            }
                        }
                    }
                } finally {
                    consumer.close(Duration.ofSeconds(5));
                }
            }, "device-" + device);
        }

        void start() {
            thread.start();
        }

        void join() throws InterruptedException {
            thread.join(30_000);
        }

        long cpuNanos(ThreadMXBean threads) {
            long cpu = threads.getThreadCpuTime(thread.threadId());
            return Math.max(0, cpu);
        }

        /** Fetch requests sent since start (the consumer's {@code fetch-total}). */
        double fetchRequests() {
            Metric metric = fetchTotal;
            if (metric == null) {
                metric = consumer.metrics().entrySet().stream()
                        .filter(e -> e.getKey().name().equals("fetch-total")
                                && e.getKey().group().equals("consumer-fetch-manager-metrics"))
                        .map(java.util.Map.Entry::getValue).findFirst().orElse(null);
                fetchTotal = metric;
            }
            return metric == null ? 0 : ((Number) metric.metricValue()).doubleValue();
        }
    }
}
