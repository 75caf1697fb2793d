package dev.edgeline.benchmarks;

import dev.edgeline.bridge.internal.Checkpoint;
import dev.edgeline.bridge.internal.CheckpointStore;
import dev.edgeline.kafka.embedded.EmbeddedKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code bin/bench fleet}: the bridge's checkpoint at fleet scale, against a 3-broker KRaft cluster in this JVM.
 * <ol>
 *   <li>Restore time against fleet size: {@code devices} devices' checkpoints, {@code perDevice} each (the
 *       uncompacted tail of the checkpoint topic: compaction leaves the active segment alone for days), then one
 *       device's restore the old way (scan the checkpoint topic) and the new one (its group's offset metadata).</li>
 *   <li>{@code bridges} bridges committing at once, each its own transactional producer (10 records, the checkpoint
 *       record and the group offset per transaction), for {@code seconds}: commit latency, transactions per second,
 *       and how the groups and transactions spread over the brokers acting as their coordinators.</li>
 * </ol>
 * Arguments: {@code [devices=10000] [perDevice=10] [bridges=200] [seconds=60]}.
 */
public final class CheckpointFleetHarness {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private CheckpointFleetHarness() {}

    public static void main(String[] args) throws Exception {
        int devices = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int perDevice = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int bridges = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        WorkDirectory work = WorkDirectory.deletedAtExit("fleet-bench-");
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(work.path().resolve("kafka"), 3)) {
            String bootstrap = cluster.bootstrapServers();
            CheckpointStore store = new CheckpointStore(bootstrap, "edge.bridge.checkpoints", Map.of());
            store.ensureTopic(TIMEOUT);
            restoreTimes(bootstrap, store, devices, perDevice);
            System.out.println();
            System.out.printf(Locale.ROOT, "%d bridges committing at once for %d s each way, 3 brokers (in this JVM, "
                    + "same 2 cores), each transaction 10 x 200-byte records + the checkpoint%n", bridges, seconds);
            System.out.println("| checkpoint | transactions | per second | commit p50 | p99 | p99.9 | max |");
            System.out.println("|---|---|---|---|---|---|---|");
            concurrentBridges(bootstrap, store, bridges, seconds, false, "live-a");
            concurrentBridges(bootstrap, store, bridges, seconds, true, "live-b");
        }
    }

    private static void restoreTimes(String bootstrap, CheckpointStore store, int devices, int perDevice)
            throws Exception {
        System.out.printf(Locale.ROOT, "Writing %,d devices' checkpoints (%d each, %,d records) ...%n", devices,
                perDevice, (long) devices * perDevice);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int round = 0; round < perDevice; round++) {
                for (int d = 0; d < devices; d++) {
                    producer.send(new ProducerRecord<>(store.topic(), device(d).getBytes(StandardCharsets.UTF_8),
                            checkpoint(d, round).encode()));
                }
            }
            producer.flush();
        }
        try (Admin admin = admin(bootstrap)) {
            List<org.apache.kafka.common.KafkaFuture<Void>> commits = new ArrayList<>();
            for (int d = 0; d < devices; d++) {
                commits.add(admin.alterConsumerGroupOffsets(CheckpointStore.groupOf(device(d)),
                        store.offsetsFor(checkpoint(d, perDevice - 1))).all());
                if (commits.size() == 500) {
                    for (var commit : commits) {
                        commit.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    commits.clear();
                }
            }
            for (var commit : commits) {
                commit.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        int samples = 10;
        long[] scan = new long[samples];
        long[] group = new long[samples];
        for (int i = 0; i < samples; i++) {
            String device = device((int) ((long) i * devices / samples));
            long start = System.nanoTime();
            Checkpoint fromTopic = store.loadFromTopic(device, TIMEOUT).orElseThrow();
            scan[i] = System.nanoTime() - start;
            start = System.nanoTime();
            Checkpoint fromGroup = store.loadFromGroup(device, TIMEOUT).orElseThrow();
            group[i] = System.nanoTime() - start;
            if (!fromTopic.equals(fromGroup)) {
                throw new IllegalStateException("the two stores disagree for " + device + ": " + fromTopic + " vs "
                        + fromGroup);
            }
        }
        Arrays.sort(scan);
        Arrays.sort(group);
        System.out.println();
        System.out.printf(Locale.ROOT, "Checkpoint restore of one device, %,d devices x %d checkpoints in the topic, "
                + "3 brokers (in this JVM), %d restores%n", devices, perDevice, samples);
        System.out.println("| restore | median | max |");
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| scan the checkpoint topic (before) | %.0f ms | %.0f ms |%n",
                scan[samples / 2] / 1e6, scan[samples - 1] / 1e6);
        System.out.printf(Locale.ROOT, "| the device's group offset (now) | %.0f ms | %.0f ms |%n",
                group[samples / 2] / 1e6, group[samples - 1] / 1e6);
    }

    private static void concurrentBridges(String bootstrap, CheckpointStore store, int bridges, int seconds,
                                          boolean withGroupOffset, String prefix) throws Exception {
        List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
        for (int b = 0; b < bridges; b++) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "edge-bridge-" + bridge(prefix, b));
            p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                    new ByteArraySerializer());
            producer.initTransactions();
            producers.add(producer);
        }
        AtomicBoolean running = new AtomicBoolean(true);
        List<long[]> latencies = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(bridges);
        byte[] payload = new byte[200];
        for (int b = 0; b < bridges; b++) {
            int index = b;
            long[] mine = new long[1_000_000];
            latencies.add(mine);
            Thread.ofPlatform().name("bridge-" + b).start(() -> {
                KafkaProducer<byte[], byte[]> producer = producers.get(index);
                String device = bridge(prefix, index);
                byte[] key = (device + "/s").getBytes(StandardCharsets.UTF_8);
                ConsumerGroupMetadata group = new ConsumerGroupMetadata(CheckpointStore.groupOf(device));
                int n = 0;
                long position = 0;
                try {
                    while (running.get() && n < mine.length - 1) {
                        long start = System.nanoTime();
                        producer.beginTransaction();
                        for (int r = 0; r < 10; r++) {
                            producer.send(new ProducerRecord<>("fleet.readings", key, payload));
                        }
                        position += 10 * 260;
                        Checkpoint checkpoint = new Checkpoint("spool-" + device, Map.of("telemetry", position));
                        producer.send(new ProducerRecord<>(store.topic(), device.getBytes(StandardCharsets.UTF_8),
                                checkpoint.encode()));
                        if (withGroupOffset) {
                            producer.sendOffsetsToTransaction(store.offsetsFor(checkpoint), group);
                        }
                        producer.commitTransaction();
                        mine[++n] = System.nanoTime() - start;
                        mine[0] = n;
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        long started = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        running.set(false);
        if (!done.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(done.getCount() + " bridges did not stop within 120 s");
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        int total = latencies.stream().mapToInt(l -> (int) l[0]).sum();
        long[] all = new long[total];
        int at = 0;
        for (long[] mine : latencies) {
            System.arraycopy(mine, 1, all, at, (int) mine[0]);
            at += (int) mine[0];
        }
        Arrays.sort(all);
        String coordinators = withGroupOffset ? "; groups per coordinating broker "
                + groupCoordinators(bootstrap, prefix, bridges) : "";
        producers.forEach(producer -> producer.close(Duration.ofSeconds(5)));
        System.out.printf(Locale.ROOT, "| %s | %,d | %,.0f | %.1f ms | %.1f ms | %.1f ms | %.1f ms%s |%n",
                withGroupOffset ? "record + group offset (now)" : "record only (before)", total, total / elapsed,
                at(all, 0.50), at(all, 0.99), at(all, 0.999), all[all.length - 1] / 1e6, coordinators);
    }

    /** How many of the bridges' groups each broker coordinates (the group coordinator load). */
    private static Map<Integer, Integer> groupCoordinators(String bootstrap, String prefix, int bridges)
            throws Exception {
        List<String> groups = new ArrayList<>();
        for (int b = 0; b < bridges; b++) {
            groups.add(CheckpointStore.groupOf(bridge(prefix, b)));
        }
        Map<Integer, Integer> perBroker = new TreeMap<>();
        try (Admin admin = admin(bootstrap)) {
            Map<String, ConsumerGroupDescription> described = admin.describeConsumerGroups(groups).all()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            described.values().forEach(d -> perBroker.merge(d.coordinator().id(), 1, Integer::sum));
        }
        return perBroker;
    }

    private static double at(long[] sorted, double quantile) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1,
                Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    private static Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return Admin.create(p);
    }

    private static String device(int d) {
        return String.format(Locale.ROOT, "fleet-pi-%05d", d);
    }

    private static String bridge(String prefix, int b) {
        return String.format(Locale.ROOT, "%s-pi-%03d", prefix, b);
    }

    private static Checkpoint checkpoint(int device, int round) {
        Map<String, Long> positions = new HashMap<>();
        positions.put("alarm", (long) round * 1000);
        positions.put("telemetry", (long) round * 100_000 + device);
        return new Checkpoint("spool-" + device(device), positions);
    }
}
