package dev.edgeline.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

/**
 * {@code bin/bench command-fanout [devices...] [--rate=1] [--seconds=30] [--runs=3]} (default 100 and 1,000 devices, 1
 * command/s each, 30 s after 10 s of warm-up, 3 runs): what reading its commands costs a device as the fleet grows,
 * and what the layout costs the cluster. A 3-broker KRaft cluster (replication 3) runs in a JVM of its own, a fresh
 * one for every run; each device is what the command bridge runs, a read_committed consumer with the bridge's fetch
 * settings on its own thread, all in this JVM. Three layouts, alternated: one command topic per device (one
 * partition); the same with the device's compacted desired-state topic beside it, idle but read too (what the command
 * bridge reads); a command topic and a desired-state topic per group of 50 devices ({@code kafka.commands.group},
 * each device skipping its neighbours' commands); and one shared topic of 12 partitions keyed by device (each device
 * reads its key's partition and skips the others' commands). The new topics are synced to disk before the devices start. Prints, as
 * median [min-max] over the runs: per device the records fetched and its own commands per second, fetch requests per
 * second and its consumer thread's CPU; the devices' JVM CPU and the cluster JVM's CPU; the latency from send to
 * receipt of its own commands and from send to the producer's acknowledgement; and per run the devices whose commands
 * came latest. {@code -Dfanout.fetch.wait=MS}, {@code -Dfanout.warmup=S}, {@code -Dfanout.replication=N},
 * {@code -Dfanout.cluster.heap=3g}, {@code -Dfanout.layouts=TOPIC_PER_DEVICE,SHARED}, {@code -Dfanout.group.size=50},
 * {@code -Dkafka.broker.props=replica.fetch.wait.max.ms=50,...} (broker settings over the defaults) and {@code -Dbench.dir=DIR} (where the brokers keep their data; /dev/shm takes
 * the disk out) through {@code BENCH_JAVA_OPTS}; {@code -Dbench.stallDump=FILE} dumps every thread's stack while
 * acknowledgements stall.
 */
public final class CommandFanoutHarness {
    private static final int SHARED_PARTITIONS = 12;
    /** Devices per group in the grouped layout ({@code -Dfanout.group.size}). */
    static final int GROUP_SIZE = Integer.getInteger("fanout.group.size", 50);

    /** Where a device's commands are. */
    enum Layout {
        /** One command topic of one partition per device. */
        TOPIC_PER_DEVICE("topic per device"),
        /** The same and the device's compacted desired-state topic, idle, read too: what the command bridge reads. */
        WITH_DESIRED_STATE("topic per device + its desired-state topic"),
        /**
         * A command topic and a desired-state topic per group of {@code fanout.group.size} devices (kafka.commands.group),
         * keyed by device: a device reads its group's two partitions and skips its neighbours' commands.
         */
        GROUPED("topic per group of " + GROUP_SIZE + " + its desired-state topic"),
        /** One topic of 12 partitions keyed by device: a device reads its key's partition, others' commands too. */
        SHARED("shared topic, " + SHARED_PARTITIONS + " partitions");

        final String label;

        Layout(String label) {
            this.label = label;
        }
    }
    private static final int PAYLOAD_BYTES = 100;
    /** The command bridge's consumer waits 5 s in a fetch that has no data; this compares another wait. */
    static final int FETCH_MAX_WAIT_MS = Integer.getInteger("fanout.fetch.wait", 5_000);

    static final int WARM_UP_SECONDS = Integer.getInteger("fanout.warmup", 10);
    static final short REPLICATION = Short.parseShort(System.getProperty("fanout.replication", "3"));
    /** The layouts compared ({@code -Dfanout.layouts=TOPIC_PER_DEVICE,SHARED}), by default all. */
    static final List<Layout> LAYOUTS = java.util.Arrays.stream(System.getProperty("fanout.layouts",
            "TOPIC_PER_DEVICE,WITH_DESIRED_STATE,GROUPED,SHARED").split(",")).map(String::trim).map(Layout::valueOf).toList();
    /** The heap of the cluster's JVM (three brokers). */
    static final String CLUSTER_HEAP = System.getProperty("fanout.cluster.heap", "3g");

    private CommandFanoutHarness() {}

    private record Row(String layout, int devices, double fetchedPerDevice, double ownPerDevice,
                       double fetchRequestsPerDevice, double cpuMsPerDevicePerSecond, double jvmCpuPercent,
                       double clusterCpuPercent,
                       long p50Micros, long p99Micros, long ackP50Micros, long ackP99Micros, String slowest) {}

    public static void main(String[] args) throws Exception {
        List<Integer> fleets = new ArrayList<>();
        double rate = 1;
        int seconds = 30;
        int runs = 3;
        for (String arg : args) {
            if (arg.startsWith("--rate=")) {
                rate = Double.parseDouble(arg.substring(7));
            } else if (arg.startsWith("--seconds=")) {
                seconds = Integer.parseInt(arg.substring(10));
            } else if (arg.startsWith("--runs=")) {
                runs = Integer.parseInt(arg.substring(7));
            } else {
                fleets.add(Integer.parseInt(arg));
            }
        }
        if (fleets.isEmpty()) {
            fleets = List.of(100, 1_000);
        }
        WorkDirectory work = WorkDirectory.deletedAtExit("command-fanout-");
        List<Row> rows = new ArrayList<>();
        int run = 0;
        for (int devices : fleets) {
            for (int repetition = 0; repetition < runs; repetition++) {
                List<Layout> order = new ArrayList<>(LAYOUTS);
                java.util.Collections.rotate(order, run); // each layout first, second and last in turn
                for (Layout layout : order) {
                    rows.add(runOnAFreshCluster(work.path().resolve("r" + run + "-" + layout.ordinal()), devices,
                            layout, rate, seconds));
                    System.err.println("command-fanout: " + rows.getLast());
                }
                run++;
            }
        }
        System.out.printf(Locale.ROOT, "%nCommand fan-out, %s, %d CPUs: 3 Kafka brokers in one JVM of their own "
                + "(replication %d, data under %s, a fresh cluster per run" + (System.getProperty("kafka.broker.props")
                == null ? "" : ", brokers with " + System.getProperty("kafka.broker.props")) + "), every device in this JVM; %.1f "
                + "command(s)/s per device, %d-byte payloads; each device a read_committed consumer on its own thread "
                + "(fetch.max.wait.ms %d); %d s measured after %d s; median of %d runs [min-max], layouts alternated%n",
                java.time.LocalDate.now(), Runtime.getRuntime().availableProcessors(), REPLICATION,
                System.getProperty("bench.dir", "/tmp"), rate, PAYLOAD_BYTES, FETCH_MAX_WAIT_MS, seconds,
                WARM_UP_SECONDS, runs);
        System.out.println("| layout | devices | records fetched per device/s | its own commands per device/s | fetch "
                + "requests per device/s | device CPU ms per device per s | devices' JVM CPU | cluster's JVM CPU | own "
                + "command latency p50 | p99 | producer ack p99 |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        Map<String, List<Row>> groups = new java.util.LinkedHashMap<>();
        rows.forEach(r -> groups.computeIfAbsent(r.layout() + "|" + r.devices(), k -> new ArrayList<>()).add(r));
        for (List<Row> group : groups.values()) {
            System.out.printf(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    group.getFirst().layout(), group.getFirst().devices(),
                    spread(group, Row::fetchedPerDevice, "%.2f"), spread(group, Row::ownPerDevice, "%.2f"),
                    spread(group, Row::fetchRequestsPerDevice, "%.2f"),
                    spread(group, Row::cpuMsPerDevicePerSecond, "%.2f"), spread(group, Row::jvmCpuPercent, "%.0f%%"),
                    spread(group, Row::clusterCpuPercent, "%.0f%%"),
                    spread(group, r -> r.p50Micros() / 1000.0, "%,.1f ms"),
                    spread(group, r -> r.p99Micros() / 1000.0, "%,.1f ms"),
                    spread(group, r -> r.ackP99Micros() / 1000.0, "%,.1f ms"));
        }
        System.out.println();
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "slowest devices (worst own command), %s, %,d devices: %s%n", r.layout(),
                    r.devices(), r.slowest());
        }
    }

    /** The median of {@code rows}' values with their min and max: {@code 12.3 [11.0-14.1]}. */
    private static String spread(List<Row> rows, java.util.function.ToDoubleFunction<Row> value, String format) {
        double[] sorted = rows.stream().mapToDouble(value).sorted().toArray();
        String median = String.format(Locale.ROOT, format, sorted[sorted.length / 2]);
        return sorted.length == 1 ? median : median + " [" + String.format(Locale.ROOT, format, sorted[0]) + "-"
                + String.format(Locale.ROOT, format, sorted[sorted.length - 1]) + "]";
    }

    /**
     * One layout's run on a cluster of its own (started for it, stopped and deleted after it), so that no run reads
     * on brokers that hold an earlier run's topics.
     */
    private static Row runOnAFreshCluster(Path directory, int devices, Layout layout, double rate, int seconds)
            throws Exception {
        java.nio.file.Files.createDirectories(directory);
        Map.Entry<Process, String> cluster = LocalProcesses.startKafkaCluster(directory.resolve("kafka.log"),
                directory.resolve("kafka"), 3, CLUSTER_HEAP);
        try {
            return run(cluster.getValue(), cluster.getKey(), devices, layout, rate, seconds);
        } finally {
            cluster.getKey().destroy();
            if (!cluster.getKey().waitFor(30, TimeUnit.SECONDS)) {
                cluster.getKey().destroyForcibly();
            }
            if (!Boolean.getBoolean("bench.keep")) {
                Directories.delete(directory);
            }
        }
    }

    /** The command topic of device {@code d}'s group in the grouped layout. */
    private static String groupTopic(int d) {
        return "fanout.group." + d / GROUP_SIZE;
    }

    /** The desired-state topic of device {@code d}'s group. */
    private static String groupDesiredTopic(int d) {
        return "fanout.desired.group." + d / GROUP_SIZE;
    }

    private static String device(int d) {
        return String.format(Locale.ROOT, "pi-%05d", d);
    }

    private static Row run(String bootstrap, Process cluster, int devices, Layout layout, double rate,
                           int seconds) throws Exception {
        boolean perDevice = layout == Layout.TOPIC_PER_DEVICE || layout == Layout.WITH_DESIRED_STATE;
        String prefix = "fanout.";
        String shared = prefix + "shared";
        try (Admin admin = Admin.create(java.util.Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            if (perDevice) {
                for (int d = 0; d < devices; d++) {
                    topics.add(new NewTopic(prefix + device(d), 1, REPLICATION));
                    if (layout == Layout.WITH_DESIRED_STATE) {
                        topics.add(new NewTopic(prefix + "desired." + device(d), 1, REPLICATION)
                                .configs(Map.of("cleanup.policy", "compact")));
                    }
                }
            } else if (layout == Layout.GROUPED) {
                for (int g = 0; g * GROUP_SIZE < devices; g++) {
                    topics.add(new NewTopic(groupTopic(g * GROUP_SIZE), 1, REPLICATION));
                    topics.add(new NewTopic(groupDesiredTopic(g * GROUP_SIZE), 1, REPLICATION)
                            .configs(Map.of("cleanup.policy", "compact")));
                }
            } else {
                topics.add(new NewTopic(shared, SHARED_PARTITIONS, REPLICATION));
            }
            for (int i = 0; i < topics.size(); i += 200) {
                admin.createTopics(topics.subList(i, Math.min(topics.size(), i + 200))).all().get(120,
                        TimeUnit.SECONDS);
            }
        }
        // A fleet's topics are created long before its commands flow: the new partitions' files go to disk now, not
        // in the kernel's writeback 30 s later, in the middle of the measured window (seen as a seconds-long stall).
        new ProcessBuilder("sync").inheritIO().start().waitFor();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicBoolean measuring = new AtomicBoolean(false);
        AtomicLong fetched = new AtomicLong();
        AtomicLong own = new AtomicLong();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> acks = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Long> slowAcks = new ConcurrentLinkedQueue<>();
        java.util.concurrent.ConcurrentHashMap<String, Long> worstByDevice = new java.util.concurrent.ConcurrentHashMap<>();
        List<DeviceReader> readers = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            String device = device(d);
            List<TopicPartition> partitions = switch (layout) {
                case TOPIC_PER_DEVICE -> List.of(new TopicPartition(prefix + device, 0));
                case WITH_DESIRED_STATE -> List.of(new TopicPartition(prefix + device, 0),
                        new TopicPartition(prefix + "desired." + device, 0));
                case GROUPED -> List.of(new TopicPartition(groupTopic(d), 0), new TopicPartition(groupDesiredTopic(d),
                        0));
                case SHARED -> List.of(new TopicPartition(shared, Utils.toPositive(Utils.murmur2(
                        device.getBytes(StandardCharsets.UTF_8))) % SHARED_PARTITIONS));
            };
            readers.add(new DeviceReader(bootstrap, device, partitions, running, measuring, fetched, own, latencies,
                    worstByDevice));
        }
        readers.forEach(DeviceReader::start);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        java.util.concurrent.atomic.AtomicInteger outstanding = new java.util.concurrent.atomic.AtomicInteger();
        AtomicLong lastAck = new AtomicLong(System.nanoTime());
        StallDump.watch(running, () -> outstanding.get() > 0
                && System.nanoTime() - lastAck.get() > 700_000_000L);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS);
            java.time.Instant windowStart = java.time.Instant.now().plusSeconds(WARM_UP_SECONDS);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            double perTick = devices * rate / 100.0; // one tick every 10 ms
            double sent = 0;
            long sentWhole = 0;
            int next = 0;
            long cpuStart = 0;
            long jvmCpuStart = 0;
            long clusterCpuStart = 0;
            double[] fetchRequestsStart = null;
            long measuredFrom = 0;
            long tick = start;
            while (System.nanoTime() < end) {
                if (!measuring.get() && System.nanoTime() >= measureFrom) {
                    fetchRequestsStart = readers.stream().mapToDouble(DeviceReader::fetchRequests).toArray();
                    cpuStart = readers.stream().mapToLong(r -> r.cpuNanos(threads)).sum();
                    jvmCpuStart = os.getProcessCpuTime();
                    clusterCpuStart = cpuNanos(cluster);
                    measuredFrom = System.nanoTime();
                    measuring.set(true);
                }
                sent += perTick;
                for (long due = (long) sent; sentWhole < due; sentWhole++) {
                    int index = next;
                    String device = device(index);
                    next = (next + 1) % devices;
                    long sentAt = System.nanoTime();
                    byte[] value = ByteBuffer.allocate(PAYLOAD_BYTES).putLong(sentAt).array();
                    outstanding.incrementAndGet();
                    String topic = perDevice ? prefix + device : layout == Layout.GROUPED ? groupTopic(index) : shared;
                    producer.send(new ProducerRecord<>(topic,
                            device.getBytes(StandardCharsets.UTF_8), value), (metadata, error) -> {
                                outstanding.decrementAndGet();
                                lastAck.set(System.nanoTime());
                                if (error == null && measuring.get()) {
                                    long micros = (System.nanoTime() - sentAt) / 1_000;
                                    acks.add(micros);
                                    if (micros > 1_000_000) {
                                        slowAcks.add((sentAt - measureFrom) / 1_000_000);
                                    }
                                }
                            });
                }
                tick += 10_000_000L;
                long sleep = tick - System.nanoTime();
                if (sleep > 0) {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                }
            }
            measuring.set(false);
            // The window as it was, not as planned: a producer blocked in send() stretches it.
            double measuredSeconds = (System.nanoTime() - measuredFrom) / 1e9;
            long cpu = readers.stream().mapToLong(r -> r.cpuNanos(threads)).sum() - cpuStart;
            long jvmCpu = os.getProcessCpuTime() - jvmCpuStart;
            long clusterCpu = cpuNanos(cluster) - clusterCpuStart;
            double fetchRequests = 0;
            for (int i = 0; i < readers.size(); i++) {
                fetchRequests += readers.get(i).fetchRequests() - fetchRequestsStart[i];
            }
            running.set(false);
            for (DeviceReader reader : readers) {
                reader.join();
            }
            long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] sortedAcks = acks.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] slow = slowAcks.stream().mapToLong(Long::longValue).sorted().toArray();
            String slowest = (slow.length == 0 ? "no ack over 1 s" : slow.length + " acks over 1 s, sent "
                    + slow[0] + "-" + slow[slow.length - 1] + " ms into the window from " + windowStart) + "; " + worstByDevice.entrySet().stream()
                    .sorted(java.util.Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                    .map(e -> e.getKey() + " " + e.getValue() / 1000 + " ms")
                    .collect(java.util.stream.Collectors.joining(", "));
            double perDeviceSecond = devices * measuredSeconds;
            return new Row(layout.label,
                    devices, fetched.get() / perDeviceSecond, own.get() / perDeviceSecond,
                    fetchRequests / perDeviceSecond, cpu / 1e6 / perDeviceSecond,
                    100.0 * jvmCpu / (measuredSeconds * 1e9 * Runtime.getRuntime().availableProcessors()),
                    100.0 * clusterCpu / (measuredSeconds * 1e9 * Runtime.getRuntime().availableProcessors()),
                    percentile(sorted, 0.50), percentile(sorted, 0.99), percentile(sortedAcks, 0.50),
                    percentile(sortedAcks, 0.99), slowest);
        }
    }

    /** The CPU time {@code process} used so far. */
    private static long cpuNanos(Process process) {
        return process.toHandle().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
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

        DeviceReader(String bootstrap, String device, List<TopicPartition> partitions, AtomicBoolean running,
                     AtomicBoolean measuring, AtomicLong fetched, AtomicLong own, ConcurrentLinkedQueue<Long> latencies,
                     java.util.Map<String, Long> worstByDevice) {
            Properties c = dev.edgeline.bridge.commands.CommandConsumerProperties.of(bootstrap, device, Map.of());
            c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, FETCH_MAX_WAIT_MS);
            c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
            this.consumer = new KafkaConsumer<>(c);
            this.key = device.getBytes(StandardCharsets.UTF_8);
            consumer.assign(partitions);
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
                                long micros = (System.nanoTime() - ByteBuffer.wrap(record.value()).getLong()) / 1_000;
                                latencies.add(micros);
                                worstByDevice.merge(device, micros, Math::max);
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
