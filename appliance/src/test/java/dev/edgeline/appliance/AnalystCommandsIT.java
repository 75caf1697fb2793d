package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/edge verify} and {@code bin/edge tail} against a real Kafka holding records with known faults. */
@Timeout(180)
class AnalystCommandsIT {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        kafka = EmbeddedKafka.start(dir, 0);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long seq = 0; seq < 100; seq++) {
                send(producer, "it.clean", "pi-1", "t", 1, seq);
                if (seq < 50 || seq >= 60) {
                    send(producer, "it.clean", "pi-1", "h", seq < 50 ? 1 : 2, seq); // 50..59 lost, with a marker
                }
            }
            producer.send(new ProducerRecord<>("it.gaps", "pi-1/$gap/bulk".getBytes(StandardCharsets.UTF_8),
                    ("{\"gap\":true,\"reason\":\"dropped-oldest\",\"lane\":\"bulk\",\"from_position\":0,"
                            + "\"to_position\":900,\"bytes\":900,\"records\":10,\"streams\":[{\"device\":\"pi-1\","
                            + "\"stream\":\"h\",\"boot\":1,\"first_seq\":50,\"last_seq\":59,\"records\":10}]}")
                            .getBytes(StandardCharsets.UTF_8)));
            for (long seq : new long[] {0, 1, 2, 2, 4, 3, 9, 10}) { // duplicate 2, 3 after 4, 5..8 missing
                send(producer, "it.faulty", "pi-2", "door", 1, seq);
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void verify_passesATopicWhoseOnlyHoleAGapMarkerExplains() {
        EdgeCommand result = EdgeCommand.run("verify", "--bootstrap", kafka.bootstrapServers(), "--topic", "it.clean",
                "--gap-topic", "it.gaps", "--timeout", "30s");
        assertThat(result.status()).as(result.out()).isZero();
        assertThat(result.out()).contains("190 record(s) in it.clean").contains("1 gap marker(s) in it.gaps")
                .containsPattern("pi-1/h +90 +0 +0 +1 \\(10\\) +0")
                .containsPattern("pi-1/t +100 +0 +0 +0 \\(0\\) +0")
                .contains("verify: OK");
    }

    @Test
    void verify_reportsDuplicates_outOfOrder_andUnexplainedHoles_withStatus3() {
        EdgeCommand result = EdgeCommand.run("verify", "--bootstrap", kafka.bootstrapServers(), "--topic", "it.faulty",
                "--gap-topic", "it.gaps", "--timeout", "30s");
        assertThat(result.status()).as(result.out()).isEqualTo(3);
        assertThat(result.out()).containsPattern("pi-2/door +8 +1 +1 +1 \\(4\\) +4")
                .contains("unexplained hole: seq 5..8 (4 record(s)), no gap marker covers it")
                .contains("verify: PROBLEMS: 1 duplicate(s), 1 out of order, 4 record(s) missing without a gap marker");
    }

    @Test
    void verify_ofATopicThatDoesNotExist_saysSo() {
        EdgeCommand result = EdgeCommand.run("verify", "--bootstrap", kafka.bootstrapServers(), "--topic", "no.such.topic",
                "--timeout", "5s");
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).contains("topic 'no.such.topic' does not exist");
    }

    @Test
    void tail_printsRecordsReadably() {
        EdgeCommand result = EdgeCommand.run("tail", "--bootstrap", kafka.bootstrapServers(), "--topic", "it.faulty",
                "--from", "beginning", "--max", "3");
        assertThat(result.status()).isZero();
        assertThat(result.out().lines().toList()).hasSize(3)
                .allSatisfy(line -> assertThat(line).containsPattern("it.faulty-\\d@\\d+ pi-2/door boot=1 seq=\\d")
                        .endsWith("{\"v\":1}"));
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return new KafkaProducer<>(p);
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String device, String stream,
                             long boot, long seq) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("device", device.getBytes(StandardCharsets.UTF_8));
        headers.add("stream", stream.getBytes(StandardCharsets.UTF_8));
        headers.add("boot", Long.toString(boot).getBytes(StandardCharsets.UTF_8));
        headers.add("seq", Long.toString(seq).getBytes(StandardCharsets.UTF_8));
        producer.send(new ProducerRecord<>(topic, null, (device + "/" + stream).getBytes(StandardCharsets.UTF_8),
                "{\"v\":1}".getBytes(StandardCharsets.UTF_8), headers));
    }
}
