package dev.edgeline.config;

/**
 * The conventions every module shares for a reading on its way from sensor to Kafka: MQTT topic names, the
 * MQTT 5 user properties that carry a record's identity, and the Kafka header names.
 *
 * <p>A record's identity is ({@code device}, {@code stream}, {@code boot}, {@code seq}): {@code boot} increases at
 * each start of the publisher and {@code seq} increases within a stream across restarts. The pair
 * ({@code boot}, {@code seq}) therefore orders a stream's records, and the identity names one reading uniquely,
 * which is what lets the broker drop retransmissions.
 */
public final class RecordEnvelope {
    /** User property and Kafka header: the device id. */
    public static final String DEVICE = "device";
    /** User property and Kafka header: the stream (sensor name, or MQTT topic for third-party publishers). */
    public static final String STREAM = "stream";
    /** User property and Kafka header: the publisher's boot number (decimal). */
    public static final String BOOT = "boot";
    /** User property and Kafka header: the sequence number within the stream (decimal). */
    public static final String SEQ = "seq";
    /** User property and Kafka header: {@code true} when the wall clock was synchronised at sampling time. */
    public static final String CLOCK_SYNCED = "clock_synced";
    /** Kafka header: the MQTT topic the record was published on. */
    public static final String MQTT_TOPIC = "mqtt_topic";

    /**
     * Kafka header: {@code application/json} when the payload is well-formed JSON (everything our agent, broker and
     * bridge write), else {@code application/octet-stream} (a third-party payload, carried unchanged).
     */
    public static final String CONTENT_TYPE = "content-type";
    /** Kafka header (CloudEvents {@code dataschema}): the JSON Schema of the payload, for the kinds we write. */
    public static final String DATASCHEMA = "ce_dataschema";
    /** Where the payload schemas are published; {@code bin/edge config schema --payload KIND} prints each. */
    public static final String SCHEMA_BASE = "https://edgeline.dev/schemas/payload/";

    /** The payload kinds with a published schema (the resource {@code schemas/<kind>.schema.json} of this package). */
    public enum PayloadKind {
        /** A sensor value from the agent: value, unit, ts, mono_ms, clock_synced (event for a debounced edge). */
        READING("reading"),
        /** A sensor's health change from the agent (its health stream). */
        HEALTH("health"),
        /** An event of the broker's own (refused identity jump, ...), on the broker-health stream. */
        BROKER_HEALTH("broker-health"),
        /** A gap marker: records lost or refused, with the reason, on the gap topic. */
        GAP("gap"),
        /** One metric of a Sparkplug B edge node's message. */
        SPARKPLUG_METRIC("sparkplug-metric"),
        /** A Sparkplug B edge node or device coming online or going offline. */
        SPARKPLUG_STATE("sparkplug-state"),
        /** How one command ended, on the results topic (docs/commands.md). */
        COMMAND_RESULT("command-result"),
        /** The payload of a command to target {@code agent}: what the edge agent carries out itself. */
        AGENT_COMMAND("agent-command"),
        /** The value of one record of a device's compacted desired-state topic. */
        DESIRED_STATE("desired-state");

        private final String name;

        PayloadKind(String name) {
            this.name = name;
        }

        public String schemaName() {
            return name;
        }

        /** Its CloudEvents {@code type}: {@code dev.edgeline.<kind>}. */
        public String ceType() {
            return "dev.edgeline." + name;
        }

        public String schemaUri() {
            return SCHEMA_BASE + name + ".schema.json";
        }

        /** The schema itself (JSON text). */
        public String schema() {
            try (java.io.InputStream in = RecordEnvelope.class.getResourceAsStream("schemas/" + name + ".schema.json")) {
                if (in == null) {
                    throw new IllegalStateException("payload schema " + name + " is missing from the build");
                }
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("payload schema " + name + " is missing from the build", e);
            }
        }
    }

    /** The stream of the broker's own health events (refused identity jumps, ...), on edge/<device>/broker-health. */
    public static final String BROKER_HEALTH_STREAM = "broker-health";

    private RecordEnvelope() {}

    /** The MQTT topic our agent publishes a stream's readings on: {@code edge/<device>/<stream>}. */
    public static String readingTopic(String device, String stream) {
        return "edge/" + device + "/" + stream;
    }
}
