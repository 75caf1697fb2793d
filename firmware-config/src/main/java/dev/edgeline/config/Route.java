package dev.edgeline.config;

/**
 * One mapping rule from MQTT topics to a Kafka topic.
 *
 * @param filter      MQTT topic filter ({@code +} and {@code #} wildcards)
 * @param kafkaTopic  destination Kafka topic
 * @param keyTemplate Kafka key template; see {@link KeyTemplate}
 * @param lane        the spool lane the matching publishes are stored in
 */
public record Route(TopicFilter filter, String kafkaTopic, KeyTemplate keyTemplate, String lane) {}
