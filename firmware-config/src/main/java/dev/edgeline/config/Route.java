package dev.edgeline.config;

import java.util.List;
import java.util.Objects;

/**
 * One mapping rule from MQTT topics to a Kafka topic.
 *
 * @param filter      MQTT topic filter ({@code +} and {@code #} wildcards)
 * @param kafkaTopic  destination Kafka topic
 * @param keyTemplate Kafka key template; see {@link KeyTemplate}
 * @param lane        the spool lane the matching publishes are stored in
 * @param headers     which headers the Kafka records carry (binary format)
 * @param format      where the record's attributes go: headers beside the unchanged payload, or one JSON value
 * @param timestamp   which time becomes the Kafka record's timestamp
 */
public record Route(TopicFilter filter, String kafkaTopic, KeyTemplate keyTemplate, String lane, Headers headers,
                    Format format, Timestamp timestamp) {

    /** A choice of the device configuration, with the name it has there. */
    public interface Named {
        /** Its name in the device configuration. */
        String configName();
    }

    /**
     * The headers of a route's Kafka records. {@code FULL}: the analyst's whole envelope (identity, MQTT topic, clock
     * state, content type, CloudEvents attributes). {@code IDENTITY}: only {@code device}, {@code stream}, {@code boot}
     * and {@code seq}, for consumers that need nothing else (the agent's JSON carries its time and clock state
     * itself): each header costs Kafka's client per record, and a drain with these four is about 1.5 times as fast.
     */
    public enum Headers implements Named {
        FULL("full"), IDENTITY("identity");

        private final String configName;

        Headers(String configName) {
            this.configName = configName;
        }

        @Override
        public String configName() {
            return configName;
        }
    }

    /**
     * Where a record's attributes go. {@code BINARY} (CloudEvents binary content mode): the payload unchanged as the
     * Kafka value, the attributes in headers. {@code STRUCTURED} (CloudEvents structured content mode,
     * {@code application/cloudevents+json}): one JSON object holding the attributes, the identity and the payload
     * ({@code data}, or {@code data_base64} when it is not JSON), for consumers that drop headers, such as Kafka
     * Connect sinks; the headers are then the four identity headers and {@code content-type}. {@code CONNECT}: Kafka
     * Connect's JSON with schema ({@code JsonConverter} with {@code schemas.enable=true}): the same attributes as typed
     * fields of one struct and the payload as text, for sinks that need a schema (JDBC, Parquet) where there is no
     * schema registry; headers as for {@code STRUCTURED}.
     */
    public enum Format implements Named {
        BINARY("binary"), STRUCTURED("structured"), CONNECT("connect");

        private final String configName;

        Format(String configName) {
            this.configName = configName;
        }

        @Override
        public String configName() {
            return configName;
        }
    }

    /**
     * The Kafka record's timestamp (what time-based retention, {@code offsetsForTimes} and stream processors' windows
     * use). {@code ARRIVAL}: when the edge broker received the record. {@code READING}: the reading's own time, its
     * payload's {@code ts}, where it has one (else the arrival time). Either way a record whose clock was not
     * synchronised ({@code clock_synced=false}: a board without a real-time clock, before NTP) gets the bridge's time
     * of sending instead, which a synchronised clock makes right: an unsynchronised time can be years off, so that
     * Kafka would delete the record at once by retention, or refuse it as too far in the future.
     */
    public enum Timestamp implements Named {
        ARRIVAL("arrival"), READING("reading");

        private final String configName;

        Timestamp(String configName) {
            this.configName = configName;
        }

        @Override
        public String configName() {
            return configName;
        }
    }

    public Route {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** A route whose records carry the full envelope in headers, timestamped at arrival. */
    public Route(TopicFilter filter, String kafkaTopic, KeyTemplate keyTemplate, String lane) {
        this(filter, kafkaTopic, keyTemplate, lane, Headers.FULL);
    }

    /** A route in binary format, timestamped at arrival. */
    public Route(TopicFilter filter, String kafkaTopic, KeyTemplate keyTemplate, String lane, Headers headers) {
        this(filter, kafkaTopic, keyTemplate, lane, headers, Format.BINARY, Timestamp.ARRIVAL);
    }

    /** Every value of a choice, for the loader and the schema. */
    static <T extends Enum<T> & Named> List<T> choices(Class<T> type) {
        return List.of(type.getEnumConstants());
    }
}
