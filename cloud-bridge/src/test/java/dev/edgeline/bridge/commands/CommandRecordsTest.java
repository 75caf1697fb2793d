package dev.edgeline.bridge.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class CommandRecordsTest {
    private static final long NOW = Instant.parse("2026-12-05T10:00:00Z").toEpochMilli();
    private static final Duration TTL = Duration.ofHours(1);

    private static ConsumerRecord<byte[], byte[]> record(String... headers) {
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("edge.commands.pi", 0, 42, "pi".getBytes(),
                "payload".getBytes());
        for (int i = 0; i < headers.length; i += 2) {
            record.headers().add(headers[i], headers[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        return record;
    }

    @Test
    void aCompleteRecord_isACommand_withItsExpiry_andResponseMode() {
        var valid = (CommandRecords.Valid) CommandRecords.read(record("command_id", "c1", "target", "relay",
                "expires_at", "2026-12-05T10:05:00Z", "response", "none"), NOW, TTL);
        assertThat(valid.id()).isEqualTo("c1");
        assertThat(valid.target()).isEqualTo("relay");
        assertThat(valid.expiresAtMillis()).isEqualTo(NOW + 300_000);
        assertThat(valid.responseRequired()).isFalse();
        assertThat(valid.payload()).isEqualTo("payload".getBytes());
    }

    @Test
    void withoutExpiry_theDefaultTimeToLiveApplies_andAResponseIsRequired() {
        var valid = (CommandRecords.Valid) CommandRecords.read(record("command_id", "c1", "target", "relay"), NOW,
                TTL);
        assertThat(valid.expiresAtMillis()).isEqualTo(NOW + 3_600_000);
        assertThat(valid.responseRequired()).isTrue();
    }

    @Test
    void malformedRecords_nameWhatIsWrong_andWhere() {
        assertThat(malformed(record("target", "relay")).reason())
                .isEqualTo("record edge.commands.pi-0@42 has no command_id header");
        assertThat(malformed(record("target", "relay")).id()).isEqualTo("offset-42");
        assertThat(malformed(record("command_id", "c1")).reason()).isEqualTo("command c1 has no target header");
        assertThat(malformed(record("command_id", "c1", "target", "a/b")).reason()).contains("'/' at index 1");
        assertThat(malformed(record("command_id", "c1", "target", "t", "response", "maybe")).reason())
                .contains("response header 'maybe' is not required or none");
        assertThat(malformed(record("command_id", "c1", "target", "t", "expires_at", "soon")).reason())
                .contains("expires_at 'soon' is not an RFC 3339 time");
        assertThat(malformed(record("command_id", "x".repeat(200), "target", "t")).id()).isEqualTo("offset-42");
    }

    private static CommandRecords.Malformed malformed(ConsumerRecord<byte[], byte[]> record) {
        return (CommandRecords.Malformed) CommandRecords.read(record, NOW, TTL);
    }

    @Test
    void aResult_isJsonWithItsHeaders_theResponseEmbeddedWhenJson_elseBase64() throws Exception {
        ProducerRecord<byte[], byte[]> json = CommandRecords.resultRecord("results", "pi", new CommandResult(3, "c1",
                "relay", CommandState.COMPLETED, "", "{\"on\":true}".getBytes(), NOW));
        JsonNode value = new ObjectMapper().readTree(json.value());
        assertThat(value.get("device").asText()).isEqualTo("pi");
        assertThat(value.get("command_id").asText()).isEqualTo("c1");
        assertThat(value.get("state").asText()).isEqualTo("completed");
        assertThat(value.get("at").asText()).isEqualTo("2026-12-05T10:00:00Z");
        assertThat(value.get("response").get("on").asBoolean()).isTrue();
        assertThat(new String(json.key(), StandardCharsets.UTF_8)).isEqualTo("pi");
        assertThat(new String(json.headers().lastHeader("state").value(), StandardCharsets.UTF_8))
                .isEqualTo("completed");
        assertThat(json.timestamp()).isEqualTo(NOW);

        ProducerRecord<byte[], byte[]> binary = CommandRecords.resultRecord("results", "pi", new CommandResult(4, "c2",
                "relay", CommandState.REJECTED, "stuck", new byte[] {1, 2, (byte) 0xff}, NOW));
        JsonNode binaryValue = new ObjectMapper().readTree(binary.value());
        assertThat(binaryValue.has("response")).isFalse();
        assertThat(binaryValue.get("response_base64").asText()).isEqualTo("AQL/");
        assertThat(binaryValue.get("reason").asText()).isEqualTo("stuck");
    }

    @Test
    void aResponseOverTheLimit_isLeftOutAndCounted_soTheResultStillFitsInKafka() throws Exception {
        byte[] huge = new byte[CommandRecords.MAX_RESPONSE_BYTES + 1];
        ProducerRecord<byte[], byte[]> record = CommandRecords.resultRecord("results", "pi", new CommandResult(5, "c3",
                "camera", CommandState.COMPLETED, "", huge, NOW));
        JsonNode value = new ObjectMapper().readTree(record.value());
        assertThat(value.get("state").asText()).isEqualTo("completed");
        assertThat(value.has("response") || value.has("response_base64")).isFalse();
        assertThat(value.get("response_omitted_bytes").asInt()).isEqualTo(huge.length);
        assertThat(value.get("reason").asText()).isEqualTo("the response of 262145 bytes is over the 262144 a result "
                + "carries: left out");
        assertThat(record.value().length).isLessThan(1024);

        byte[] atLimit = new byte[CommandRecords.MAX_RESPONSE_BYTES];
        ProducerRecord<byte[], byte[]> largest = CommandRecords.resultRecord("results", "pi", new CommandResult(6, "c4",
                "camera", CommandState.COMPLETED, "", atLimit, NOW));
        assertThat(largest.value().length).as("base64 of the largest response, well inside Kafka's 1 MiB")
                .isLessThan(400 * 1024);
    }
}
