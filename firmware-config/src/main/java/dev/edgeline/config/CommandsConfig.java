package dev.edgeline.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Cloud-to-device commands ({@code kafka.commands}): the device's bridge reads its own command topic, keeps each
 * command in a durable queue on the device, delivers it on the local broker and writes one result per command.
 *
 * @param enabled       whether the bridge reads and delivers commands
 * @param topicPrefix   the device reads {@code topicPrefix + deviceId} (one partition), or with a group
 *                      {@code topicPrefix + "group." + group}
 * @param desiredTopicPrefix the device's desired state is the compacted topic {@code desiredTopicPrefix + deviceId},
 *                      or with a group {@code desiredTopicPrefix + "group." + group} (keys {@code <device>/...})
 * @param group         "" for a topic of the device's own (the default); else the group of devices whose command and
 *                      desired-state topics it shares, skipping its neighbours' records (docs/commands.md, Fleet scale)
 * @param resultsTopic  where results go, keyed by device id
 * @param directory     the device's command queue ({@code commands.log})
 * @param maxQueueBytes bound on the bytes of commands waiting on the device
 * @param rememberIds   how many ended commands' ids are remembered to recognise a command sent twice
 * @param defaultTtl    time to live of a command without an {@code expires_at} header
 * @param mqttUsername  the user the command bridge logs in to the local broker as ("" for none)
 * @param mqttPasswordFile the file holding its password (present exactly when {@code mqttUsername} is set)
 */
public record CommandsConfig(boolean enabled, String topicPrefix, String desiredTopicPrefix, String group,
                             String resultsTopic, Path directory,
                             long maxQueueBytes, int rememberIds, Duration defaultTtl, String mqttUsername,
                             Optional<Path> mqttPasswordFile) {

    /** The MQTT client id of the command bridge on the device's broker. */
    public static String mqttClientIdOf(String deviceId) {
        return "edge-commands-" + deviceId;
    }

    /** Commands off, with the schema's defaults. */
    public static CommandsConfig disabled() {
        return new CommandsConfig(false, ConfigSchema.key("kafka.commands.topic-prefix").defaultString(),
                ConfigSchema.key("kafka.commands.desired-topic-prefix").defaultString(), "",
                ConfigSchema.key("kafka.commands.results-topic").defaultString(),
                Path.of(ConfigSchema.key("kafka.commands.directory").defaultString()),
                ConfigSchema.key("kafka.commands.max-queue-bytes").defaultLong(),
                (int) ConfigSchema.key("kafka.commands.remember-ids").defaultLong(),
                ConfigSchema.key("kafka.commands.default-ttl").defaultDuration(), "", Optional.empty());
    }

    /** What a group's topic names put between the prefix and the group's name (no device id starts with it). */
    public static final String GROUP_TOPIC_INFIX = "group.";

    /** What is wrong with {@code group} as a group's name, or null when nothing is. */
    public static String groupProblem(String group) {
        return ConfigNames.DEVICE_ID.matcher(group).matches() ? null : "'" + group + "' is not a group name: 1 to 64 of "
                + "[A-Za-z0-9._-], starting with a letter or digit";
    }

    /** The same settings for a device of {@code otherGroup} ("" for a device with topics of its own). */
    public CommandsConfig withGroup(String otherGroup) {
        return new CommandsConfig(enabled, topicPrefix, desiredTopicPrefix, otherGroup, resultsTopic, directory,
                maxQueueBytes, rememberIds, defaultTtl, mqttUsername, mqttPasswordFile);
    }

    /** Whether the device shares its command and desired-state topics with a group of devices. */
    public boolean grouped() {
        return !group.isEmpty();
    }

    /** The Kafka topic of {@code deviceId}'s commands: its own, or its group's. */
    public String topicOf(String deviceId) {
        return topicPrefix + (grouped() ? GROUP_TOPIC_INFIX + group : deviceId);
    }

    /** The compacted Kafka topic of {@code deviceId}'s desired state: its own, or its group's. */
    public String desiredTopicOf(String deviceId) {
        return desiredTopicPrefix + (grouped() ? GROUP_TOPIC_INFIX + group : deviceId);
    }

    /**
     * What starts every key of {@code deviceId}'s desired-state records: "" on a topic of its own, {@code <device>/}
     * on its group's ({@code pi-0042/sensor/env}).
     */
    public String desiredKeyPrefixOf(String deviceId) {
        return grouped() ? deviceId + "/" : "";
    }

    /**
     * {@code key}, a record key of {@code deviceId}'s desired-state topic, as the device takes it: itself on a topic of
     * its own, without {@code <device>/} on its group's; null when it is a neighbour's.
     */
    public String ownDesiredKey(String deviceId, String key) {
        String prefix = desiredKeyPrefixOf(deviceId);
        return key.startsWith(prefix) ? key.substring(prefix.length()) : null;
    }

    private static final java.util.regex.Pattern DESIRED_STATE_KEY =
            java.util.regex.Pattern.compile("(sensor|output)/[a-z0-9][a-z0-9_-]{0,63}");

    /**
     * Whether {@code key} is a key of the desired-state topic that devices take: {@code sensor/<name>} or
     * {@code output/<name>} with a sensor name's syntax (a record with another key is left out).
     */
    public static boolean isDesiredStateKey(String key) {
        return DESIRED_STATE_KEY.matcher(key).matches();
    }

    /** The consumer group whose committed offset on the command topic says what the device has stored. */
    public static String groupOf(String deviceId) {
        return "edge-commands-" + deviceId;
    }

    /** The transactional id of the device's command producer (results and consumed offsets). */
    public static String transactionalIdOf(String deviceId) {
        return "edge-commands-" + deviceId;
    }
}
