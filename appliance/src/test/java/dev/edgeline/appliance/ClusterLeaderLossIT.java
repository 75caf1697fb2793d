package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafkaCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-broker KRaft cluster (replication factor 3, min.insync.replicas 2): the leader of the partition being written
 * is stopped while the bridge forwards; nothing is lost and nothing duplicated.
 */
@Timeout(600)
class ClusterLeaderLossIT {
    private static final int RECORDS = 12_000;
    private static final String TOPIC = "it.cluster";

    @Test
    void leaderOfTheWrittenPartitionStopped_whileForwarding_nothingLost_nothingDuplicated(@TempDir Path dataDir,
                                                                                        @TempDir Path kafkaDir)
            throws Exception {
        try (EmbeddedKafkaCluster cluster = EmbeddedKafkaCluster.start(kafkaDir, 3)) {
            Properties adminProps = new Properties();
            adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            try (Admin admin = Admin.create(adminProps)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 3)
                        .configs(Map.of("min.insync.replicas", "2")))).all().get(60, TimeUnit.SECONDS);
            }
            DeviceConfig config = ConfigLoader.parse(Path.of("cluster.yaml"), """
                    device: {id: cluster-pi}
                    broker: {listener: {port: %d}, data-directory: broker}
                    spool: {directory: spool, segment-bytes: 1048576}
                    agent: {state-directory: agent}
                    kafka:
                      bootstrap-servers: %s
                      batch-records: 200
                      retry-backoff-max: 1s
                      routes: [{mqtt-filter: "edge/#", kafka-topic: %s}]
                    sensors: []
                    """.formatted(TestDevice.freePort(), cluster.bootstrapServers(), TOPIC), dataDir);
            Set<Identity> written = new HashSet<>();
            try (EdgeBrokerService service = EdgeBrokerService.start(config);
                 BridgedRecordCollector collector = new BridgedRecordCollector(cluster.bootstrapServers(),
                         List.of(TOPIC), r -> { })) {
                collector.start();
                int leader = -1;
                for (int i = 0; i < RECORDS; i++) {
                    String stream = "s" + (i % 4);
                    long seq = i / 4;
                    service.spool().append("telemetry", new SpoolRecord("cluster-pi", stream, 1, seq,
                            "edge/cluster-pi/" + stream, true, System.currentTimeMillis(),
                            ("{\"value\":" + seq + "}").getBytes(StandardCharsets.UTF_8))).join();
                    written.add(new Identity("cluster-pi", stream, 1, seq));
                    if (i % 20 == 0) {
                        Thread.sleep(10); // about 2,000 records/s for 6 s
                    }
                    if (i == RECORDS / 3) {
                        leader = leaderOf(cluster, partitionOf("cluster-pi/s0"));
                        cluster.stopBroker(leader); // the leader of stream s0's partition goes away mid-flow
                    }
                }
                Awaits.until(Duration.ofSeconds(180), () -> collector.distinctCount() >= RECORDS,
                        "every record in Kafka with one broker down");
                Thread.sleep(2_000);
                assertThat(leader).isPositive();
                assertThat(collector.distinct()).isEqualTo(written);
                assertThat(collector.duplicates()).isZero();
                assertThat(collector.orderViolations()).isEmpty();
                cluster.startBroker(leader);
            }
        }
    }

    private static int partitionOf(String key) {
        return BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), 3);
    }

    private static int leaderOf(EmbeddedKafkaCluster cluster, int partition) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            TopicDescription description = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(TOPIC);
            return description.partitions().get(partition).leader().id();
        }
    }
}
