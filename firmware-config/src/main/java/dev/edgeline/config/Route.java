package dev.edgeline.config;

import java.util.Objects;

/**
 * One mapping rule from MQTT topics to a Kafka topic.
 *
 * @param filter      MQTT topic filter ({@code +} and {@code #} wildcards)
 * @param kafkaTopic  destination Kafka topic
 * @param keyTemplate Kafka key template; see {@link KeyTemplate}
 * @param lane        the spool lane the matching publishes are stored in
 * @param headers     which headers the Kafka records carry
 */
public record Route(TopicFilter filter, String kafkaTopic, KeyTemplate keyTemplate, String lane, Headers headers) {

    /**
     * The headers of a route's Kafka records. {@code FULL}: the analyst's whole envelope (identity, MQTT topic, clock
     * state, content type, CloudEvents attributes). {@code IDENTITY}: only {@code device}, {@code stream}, {@code boot}
     * and {@code seq}, for consumers that need nothing else (the agent's JSON carries its time and clock state
     * itself): each header costs Kafka's client per record, and a drain with these four is about 1.5 times as fast.
     */
    public enum Headers {
        FULL("full"), IDENTITY("identity");

        private final String configName;

        Headers(String configName) {
            this.configName = configName;
        }

        /** Its name in the device configuration ({@code kafka.routes[].headers}). */
        public String configName() {
            return configName;
        }
    }

    public Route {
        Objects.requireNonNull(headers, "headers");
    }

    /** A route whose records carry the full envelope. */
    public Route(TopicFilter filter, String kafkaTopic, KeyTemplate keyTemplate, String lane) {
        this(filter, kafkaTopic, keyTemplate, lane, Headers.FULL);
    }
}
