package dev.edgeline.connect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.appliance.Awaits;
import dev.edgeline.appliance.BridgedRecordCollector;
import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.appliance.EdgeBrokerService;
import dev.edgeline.appliance.TestDevice;
import dev.edgeline.broker.security.ExternalCommand;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The analyst's tools on the bridged topic: the device's agent and a third-party publisher through the broker and
 * the exactly-once bridge into a real Kafka, on a route with {@code format: connect}; a real Kafka Connect worker
 * (read committed) with Debezium's JDBC sink connector writes the topic into a real PostgreSQL; then SQL over the
 * table finds every reading once, with its identity, its time as a timestamp and its payload as JSON.
 */
@Timeout(300)
class JdbcSinkIT {
    private static final int SAMPLES = 100;

    @Test
    void everyReadingIsOneRowWithItsIdentity_inPostgresql_throughKafkaConnectsJdbcSink(@TempDir Path dir)
            throws Exception {
        int mqttPort = TestDevice.freePort();
        Set<Identity> published = ConcurrentHashMap.newKeySet();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
             LocalPostgres postgres = LocalPostgres.start(TestDevice.freePort())) {
            DeviceConfig config = ConfigLoader.parse(Path.of("it.yaml"),
                    TestDevice.yaml(mqttPort, kafka.bootstrapServers(), "it.connect", 10).replace(
                            "      kafka-topic: it.connect\n",
                            "      kafka-topic: it.connect\n      format: connect\n")
                            .replace("    - mqtt-filter: \"edge/+/+\"", "    - mqtt-filter: \"lan/#\"\n"
                                    + "      kafka-topic: it.connect\n      format: connect\n"
                                    + "    - mqtt-filter: \"edge/+/+\""), dir);
            try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                    List.of("it.connect"), record -> { });
                 EdgeBrokerService broker = EdgeBrokerService.start(config);
                 EdgeAgent agent = EdgeAgent.create(config, r -> published.add(
                         new Identity(r.device(), r.stream(), r.boot(), r.seq())), SAMPLES)) {
                collector.start();
                agent.start();
                ExternalCommand.run(List.of("mosquitto_pub", "-V", "mqttv311", "-q", "1", "-h", "127.0.0.1", "-p",
                        Integer.toString(mqttPort), "-i", "esp32-attic", "-t", "lan/attic/temp", "-m", "21.5 C"));
                Awaits.until(Duration.ofSeconds(90), agent::samplingFinished, "sampling to finish");
                assertThat(agent.awaitAcknowledged(Duration.ofSeconds(60))).isTrue();
                Awaits.until(Duration.ofSeconds(90), () -> collector.distinctCount() >= published.size() + 1,
                        "every record in Kafka");
            }
            assertThat(published).hasSize(3 * SAMPLES);

            Map<String, String> sink = Map.ofEntries(
                    Map.entry("name", "edge-readings-to-postgresql"),
                    Map.entry("connector.class", "io.debezium.connector.jdbc.JdbcSinkConnector"),
                    Map.entry("tasks.max", "1"),
                    Map.entry("topics", "it.connect"),
                    Map.entry("connection.url", postgres.jdbcUrl()),
                    Map.entry("connection.username", "postgres"),
                    Map.entry("connection.password", ""),
                    Map.entry("insert.mode", "insert"), // plain inserts: a record delivered twice would be two rows
                    Map.entry("primary.key.mode", "none"),
                    Map.entry("schema.evolution", "basic"),
                    Map.entry("collection.name.format", "edge_readings"));
            try (ConnectWorker worker = ConnectWorker.start(dir.resolve("connect"), kafka.bootstrapServers(), sink)) {
                Awaits.until(Duration.ofSeconds(120), () -> {
                    if (!worker.isAlive()) {
                        throw new AssertionError("the Connect worker exited: " + worker.log());
                    }
                    return rows(postgres) >= published.size() + 1;
                }, "every record a row in PostgreSQL (worker log: " + dir.resolve("connect/worker.log") + ")");
                Thread.sleep(2_000); // room for a late duplicate row
            }
            try (Connection sql = postgres.connect(); Statement statement = sql.createStatement()) {
                assertThat(single(statement, "select count(*) from edge_readings")).isEqualTo(3L * SAMPLES + 1);
                assertThat(single(statement, "select count(distinct (device, stream, boot, seq)) from edge_readings"))
                        .as("every identity once").isEqualTo(3L * SAMPLES + 1);
                Set<Identity> rows = new HashSet<>();
                try (ResultSet result = statement.executeQuery("select device, stream, boot, seq from edge_readings"
                        + " where type = 'dev.edgeline.reading'")) {
                    while (result.next()) {
                        rows.add(new Identity(result.getString(1), result.getString(2), result.getLong(3),
                                result.getLong(4)));
                    }
                }
                assertThat(rows).as("the agent's readings, with their identity").isEqualTo(published);
                assertThat(single(statement, "select count(*) from edge_readings where stream = 'temperature'"
                        + " and (data::jsonb ->> 'value')::float between 15 and 30")).as("the payload is JSON")
                        .isEqualTo((long) SAMPLES);
                assertThat(single(statement, "select count(*) from edge_readings where time <= received_at"
                        + " and received_at > now() - interval '10 minutes'")).as("times are timestamps")
                        .isEqualTo(3L * SAMPLES + 1);
                assertThat(single(statement, "select max(seq) - min(seq) + 1 - count(*) from edge_readings"
                        + " where stream = 'humidity'")).as("no hole in a stream").isZero();
                try (ResultSet attic = statement.executeQuery("select device, type, content_type, data, source"
                        + " from edge_readings where stream = 'lan/attic/temp'")) {
                    assertThat(attic.next()).isTrue();
                    assertThat(attic.getString(1)).isEqualTo(TestDevice.DEVICE + "/esp32-attic");
                    assertThat(attic.getString(2)).isEqualTo("dev.edgeline.device-data");
                    assertThat(attic.getString(3)).isEqualTo("application/octet-stream");
                    assertThat(attic.getString(4)).isEqualTo("21.5 C");
                    assertThat(attic.getString(5)).isEqualTo("edge://" + TestDevice.DEVICE + "/esp32-attic/lan/attic/temp");
                }
                try (ResultSet column = statement.executeQuery("select data_type from information_schema.columns"
                        + " where table_name = 'edge_readings' and column_name = 'time'")) {
                    assertThat(column.next()).isTrue();
                    assertThat(column.getString(1)).startsWith("timestamp");
                }
            }
        }
    }

    private static long rows(LocalPostgres postgres) {
        try (Connection sql = postgres.connect(); Statement statement = sql.createStatement()) {
            return single(statement, "select count(*) from edge_readings");
        } catch (SQLException noTableYet) {
            return 0;
        }
    }

    private static long single(Statement statement, String query) throws SQLException {
        try (ResultSet result = statement.executeQuery(query)) {
            result.next();
            return result.getLong(1);
        }
    }
}
