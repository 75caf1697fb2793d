package dev.edgeline.bridge.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The Kafka side of the command contract (docs/commands.md). A command is a record on the device's command topic:
 * the value is the payload delivered to the target unchanged; headers {@code command_id} and {@code target}
 * (required), {@code expires_at} (RFC 3339, optional: {@code kafka.commands.default-ttl} after the device receives
 * it) and {@code response} ({@code required}, the default, or {@code none}). A result is a record on the results topic
 * keyed by the device id: a JSON object ({@code device}, {@code command_id}, {@code target}, {@code state},
 * {@code reason}, {@code at}, and the responder's payload as {@code response} when it is JSON, else
 * {@code response_base64}), with headers {@code device}, {@code command_id}, {@code target} and {@code state}.
 */
final class CommandRecords {
    static final String COMMAND_ID = "command_id";
    static final String TARGET = "target";
    static final String EXPIRES_AT = "expires_at";
    static final String RESPONSE = "response";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A command record as read: a valid command, or why it is not one (with whatever id it carries). */
    sealed interface Incoming permits Valid, Malformed {}

    record Valid(String id, String target, byte[] payload, long expiresAtMillis, boolean responseRequired)
            implements Incoming {}

    record Malformed(String id, String target, String reason) implements Incoming {}

    private CommandRecords() {}

    static Incoming read(ConsumerRecord<byte[], byte[]> record, long nowMillis, Duration defaultTtl) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        String id = header(record, COMMAND_ID);
        String target = header(record, TARGET);
        String fallbackId = id == null || Command.idProblem(id) != null ? "offset-" + record.offset() : id;
        String safeTarget = target == null || Command.targetProblem(target) != null ? "-" : target;
        if (id == null) {
            return new Malformed(fallbackId, safeTarget, "record " + where + " has no command_id header");
        }
        String idProblem = Command.idProblem(id);
        if (idProblem != null) {
            return new Malformed(fallbackId, safeTarget, "record " + where + ": " + idProblem);
        }
        if (target == null) {
            return new Malformed(id, safeTarget, "command " + id + " has no target header");
        }
        String targetProblem = Command.targetProblem(target);
        if (targetProblem != null) {
            return new Malformed(id, safeTarget, "command " + id + ": " + targetProblem);
        }
        String response = header(record, RESPONSE);
        if (response != null && !response.equals("required") && !response.equals("none")) {
            return new Malformed(id, target, "command " + id + ": response header '" + response
                    + "' is not required or none");
        }
        long expiresAt;
        String expires = header(record, EXPIRES_AT);
        if (expires == null) {
            expiresAt = nowMillis + defaultTtl.toMillis();
        } else {
            try {
                expiresAt = Instant.parse(expires).toEpochMilli();
            } catch (DateTimeException | ArithmeticException e) {
                return new Malformed(id, target, "command " + id + ": expires_at '" + expires
                        + "' is not an RFC 3339 time such as 2026-12-04T10:15:30Z");
            }
        }
        byte[] payload = record.value() == null ? new byte[0] : record.value();
        return new Valid(id, target, payload, expiresAt, !"none".equals(response));
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    /** The result record of {@code result} for {@code device} on {@code topic}. */
    /**
     * The most response bytes a result carries. A result is one Kafka record, and one that Kafka refuses would fail
     * its transaction on every try: with base64 (4/3) and the rest of the JSON this keeps a result well inside
     * Kafka's default 1 MiB record limit and the producer's request size. A larger response is left out and counted
     * ({@code response_omitted_bytes}), the state stays the responder's.
     */
    static final int MAX_RESPONSE_BYTES = 256 * 1024;

    static ProducerRecord<byte[], byte[]> resultRecord(String topic, String device, CommandResult result) {
        ObjectNode json = resultJson(device, result);
        RecordHeaders headers = new RecordHeaders();
        headers.add("device", device.getBytes(StandardCharsets.UTF_8));
        headers.add(COMMAND_ID, result.commandId().getBytes(StandardCharsets.UTF_8));
        headers.add(TARGET, result.target().getBytes(StandardCharsets.UTF_8));
        headers.add("state", result.state().label().getBytes(StandardCharsets.UTF_8));
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
        return new ProducerRecord<>(topic, null, result.atMillis(), device.getBytes(StandardCharsets.UTF_8), value,
                headers);
    }

    /** A result's value: the JSON object docs/commands.md describes (result.schema.json). */
    static ObjectNode resultJson(String device, CommandResult result) {
        ObjectNode json = JSON.createObjectNode();
        json.put("device", device);
        json.put(COMMAND_ID, result.commandId());
        json.put(TARGET, result.target());
        json.put("state", result.state().label());
        json.put("reason", result.reason());
        json.put("at", Instant.ofEpochMilli(result.atMillis()).toString());
        if (result.response().length > MAX_RESPONSE_BYTES) {
            json.put("response_omitted_bytes", result.response().length);
            json.put("reason", (result.reason().isEmpty() ? "" : result.reason() + "; ") + "the response of "
                    + result.response().length + " bytes is over the " + MAX_RESPONSE_BYTES
                    + " a result carries: left out");
        } else if (result.response().length > 0) {
            JsonNode response = parsedJson(result.response());
            if (response != null) {
                json.set(RESPONSE, response);
            } else {
                json.put("response_base64", Base64.getEncoder().encodeToString(result.response()));
            }
        }
        return json;
    }

    private static JsonNode parsedJson(byte[] bytes) {
        try (var parser = JSON.createParser(bytes)) {
            JsonNode node = JSON.readTree(parser);
            return parser.nextToken() == null ? node : null;
        } catch (IOException e) {
            return null;
        }
    }
}
