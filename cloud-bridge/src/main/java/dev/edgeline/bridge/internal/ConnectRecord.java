package dev.edgeline.bridge.internal;

import java.util.Base64;

/**
 * Writes a record in Kafka Connect's JSON with schema (what {@code JsonConverter} reads with
 * {@code schemas.enable=true}), so that sinks that need a schema (JDBC, Parquet files) get typed columns without a
 * schema registry: {@code {"schema":{...},"payload":{...}}}, one struct {@code dev.edgeline.Record} with
 * <pre>
 *   id, source, type      string   the CloudEvents attributes (ce_id, ce_source, ce_type)
 *   time                  Timestamp the reading's time (its payload's ts) or the arrival time, as ce_time
 *   received_at           Timestamp when the edge broker received it
 *   device, stream        string   the identity
 *   boot, seq             int64
 *   mqtt_topic            string
 *   clock_synced          boolean
 *   content_type          string   application/json or application/octet-stream
 *   dataschema            string   optional: the JSON Schema of the payloads we write
 *   data                  string   optional: the payload as text, when it is valid UTF-8 (JSON or not)
 *   data_bytes            bytes    optional: the payload, when it is not UTF-8 text
 * </pre>
 * The schema is the same for every record and written once. Not thread-safe; reusable.
 */
final class ConnectRecord {
    /** The schema part, with the start of the payload. */
    private static final byte[] SCHEMA = ("{\"schema\":{\"type\":\"struct\",\"name\":\"dev.edgeline.Record\","
            + "\"version\":1,\"optional\":false,\"fields\":["
            + field("id", "string", false) + "," + field("source", "string", false) + ","
            + field("type", "string", false) + "," + timestamp("time") + "," + timestamp("received_at") + ","
            + field("device", "string", false) + "," + field("stream", "string", false) + ","
            + field("boot", "int64", false) + "," + field("seq", "int64", false) + ","
            + field("mqtt_topic", "string", false) + "," + field("clock_synced", "boolean", false) + ","
            + field("content_type", "string", false) + "," + field("dataschema", "string", true) + ","
            + field("data", "string", true) + "," + field("data_bytes", "bytes", true)
            + "]},\"payload\":{").getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The constant parts of one stream's records, escaped once. */
    static final class Stream {
        private final byte[] idPrefix;
        private final byte[] identity;

        Stream(String device, String stream, String mqttTopic, String source) {
            this.idPrefix = JsonBytes.escaped(device + "/" + stream + "/");
            this.identity = new JsonBytes().ascii(",\"source\":").bytes(JsonBytes.quoted(source))
                    .ascii(",\"device\":").bytes(JsonBytes.quoted(device))
                    .ascii(",\"stream\":").bytes(JsonBytes.quoted(stream))
                    .ascii(",\"mqtt_topic\":").bytes(JsonBytes.quoted(mqttTopic)).toArray();
        }
    }

    private final JsonBytes out = new JsonBytes();

    /**
     * The record's value.
     *
     * @param timeMillis the reading's time (or the arrival time)
     * @param json       whether the payload is well-formed JSON
     * @param schema     the {@code dataschema} URI, or null
     */
    byte[] write(Stream stream, long boot, long seq, String type, long timeMillis, long receivedAtMillis,
                 boolean clockSynced, boolean json, String schema, byte[] payload) {
        out.clear();
        out.bytes(SCHEMA).ascii("\"id\":\"").bytes(stream.idPrefix).number(boot).ascii("/").number(seq).ascii("\"")
                .bytes(stream.identity)
                .ascii(",\"type\":\"").ascii(type)
                .ascii("\",\"time\":").number(timeMillis)
                .ascii(",\"received_at\":").number(receivedAtMillis)
                .ascii(",\"boot\":").number(boot)
                .ascii(",\"seq\":").number(seq)
                .ascii(clockSynced ? ",\"clock_synced\":true" : ",\"clock_synced\":false")
                .ascii(json ? ",\"content_type\":\"application/json\"" : ",\"content_type\":\"application/octet-stream\"")
                .ascii(",\"dataschema\":");
        if (schema == null) {
            out.ascii("null");
        } else {
            out.ascii("\"").ascii(schema).ascii("\"");
        }
        if (JsonBytes.isUtf8(payload)) {
            out.ascii(",\"data\":").utf8Literal(payload).ascii(",\"data_bytes\":null");
        } else {
            out.ascii(",\"data\":null,\"data_bytes\":\"").bytes(Base64.getEncoder().encode(payload)).ascii("\"");
        }
        return out.ascii("}}").toArray();
    }

    private static String field(String name, String type, boolean optional) {
        return "{\"field\":\"" + name + "\",\"type\":\"" + type + "\",\"optional\":" + optional + "}";
    }

    private static String timestamp(String name) {
        return "{\"field\":\"" + name + "\",\"type\":\"int64\",\"optional\":false,"
                + "\"name\":\"org.apache.kafka.connect.data.Timestamp\",\"version\":1}";
    }
}
