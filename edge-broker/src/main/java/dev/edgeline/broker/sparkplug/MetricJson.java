package dev.edgeline.broker.sparkplug;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Array;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.eclipse.tahu.message.model.Metric;

/**
 * The JSON payload of one Sparkplug metric's record ({@code sparkplug-metric} schema):
 * <pre>
 * {"value":21.5,"datatype":"Double","ts":"2026-12-04T09:15:02.250Z",
 *  "sparkplug":{"message":"DDATA","seq":12,"bd_seq":3,"alias":7}}
 * </pre>
 * Numbers stay numbers (unsigned 64-bit ones too; NaN and infinities as strings), booleans booleans, strings, text
 * and UUIDs strings, date-times RFC 3339 strings, bytes and files base64, arrays JSON arrays; data sets and templates
 * their Tahu model as JSON. A metric sent as null has {@code "value":null} and {@code "null":true}; a historical one
 * {@code "historical":true}. Thread-safe.
 */
final class MetricJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private MetricJson() {}

    static byte[] of(Metric metric, String message, long seq, Long bdSeq, Date payloadTime) {
        ObjectNode out = NODES.objectNode();
        boolean isNull = Boolean.TRUE.equals(metric.getIsNull()) || metric.getValue() == null;
        out.set("value", isNull ? NODES.nullNode() : value(metric.getValue()));
        out.put("datatype", metric.getDataType() == null ? "Unknown" : metric.getDataType().toString());
        Date time = metric.getTimestamp() != null ? metric.getTimestamp() : payloadTime;
        if (time != null) {
            out.put("ts", Instant.ofEpochMilli(time.getTime()).toString());
        }
        if (isNull) {
            out.put("null", true);
        }
        if (Boolean.TRUE.equals(metric.getIsHistorical())) {
            out.put("historical", true);
        }
        ObjectNode sparkplug = out.putObject("sparkplug");
        sparkplug.put("message", message);
        if (seq >= 0) {
            sparkplug.put("seq", seq);
        }
        if (bdSeq != null) {
            sparkplug.put("bd_seq", bdSeq);
        }
        if (metric.hasAlias()) {
            sparkplug.put("alias", metric.getAlias());
        }
        return bytes(out);
    }

    static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written: " + e.getMessage(), e);
        }
    }

    private static JsonNode value(Object value) {
        return switch (value) {
            case Boolean b -> NODES.booleanNode(b);
            case Byte b -> NODES.numberNode(b);
            case Short s -> NODES.numberNode(s);
            case Integer i -> NODES.numberNode(i);
            case Long l -> NODES.numberNode(l);
            case BigInteger big -> NODES.numberNode(big);
            case Float f -> f.isNaN() || f.isInfinite() ? NODES.textNode(f.toString()) : NODES.numberNode(f);
            case Double d -> d.isNaN() || d.isInfinite() ? NODES.textNode(d.toString()) : NODES.numberNode(d);
            case String s -> NODES.textNode(s);
            case Date date -> NODES.textNode(Instant.ofEpochMilli(date.getTime()).toString());
            case byte[] bytes -> NODES.textNode(Base64.getEncoder().encodeToString(bytes));
            case org.eclipse.tahu.message.model.File file -> NODES.textNode(
                    Base64.getEncoder().encodeToString(file.getBytes()));
            default -> value.getClass().isArray() ? array(value) : model(value);
        };
    }

    private static JsonNode array(Object array) {
        ArrayNode out = NODES.arrayNode();
        for (int i = 0; i < Array.getLength(array); i++) {
            Object element = Array.get(array, i);
            out.add(element == null ? NODES.nullNode() : value(element));
        }
        return out;
    }

    /** A data set or template: Tahu's model as JSON, or its text where Jackson cannot write it. */
    private static JsonNode model(Object value) {
        try {
            return JSON.valueToTree(value);
        } catch (IllegalArgumentException e) {
            return NODES.textNode(String.valueOf(value));
        }
    }
}
