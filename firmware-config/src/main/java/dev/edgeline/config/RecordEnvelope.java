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

    /** The stream of the broker's own health events (refused identity jumps, ...), on edge/<device>/broker-health. */
    public static final String BROKER_HEALTH_STREAM = "broker-health";

    private RecordEnvelope() {}

    /** The MQTT topic our agent publishes a stream's readings on: {@code edge/<device>/<stream>}. */
    public static String readingTopic(String device, String stream) {
        return "edge/" + device + "/" + stream;
    }
}
