package dev.edgeline.config;

import dev.edgeline.config.internal.YamlMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Reads {@code agent}: where and how the sensor agent publishes, and its state. */
final class AgentSection {
    private final ConfigFiles files;
    private final Path base;

    AgentSection(ConfigFiles files, Path base) {
        this.files = files;
        this.base = base;
    }

    AgentConfig read(YamlMap m, BrokerConfig broker) {
        String defaultUri = "tcp://" + broker.host() + ":" + broker.port();
        String uri = m.string("broker-uri", defaultUri);
        if (uri != null && !(uri.startsWith("tcp://") || uri.startsWith("ssl://"))) {
            m.error("broker-uri", "'" + uri + "' must start with tcp:// or ssl://");
        }
        Path state = m.directory("state-directory", base);
        int maxInFlight = m.integer("max-in-flight");
        long outboxBudget = m.longValue("outbox-budget-bytes");
        Duration outboxSync = m.duration("outbox-sync-interval");
        Duration reconnect = m.duration("reconnect-delay-max");
        Duration sessionExpiry = m.duration("session-expiry");
        if (sessionExpiry.toSeconds() > 0xFFFF_FFFEL) {
            m.error("session-expiry", sessionExpiry + " is longer than MQTT allows (about 136 years)");
        }
        String healthStream = m.string("health-stream");
        if (healthStream != null && !ConfigNames.STREAM_NAME.matcher(healthStream).matches()) {
            m.error("health-stream", "'" + healthStream + "' is not a valid stream name ([a-z0-9][a-z0-9_-]*, at most 64)");
        }
        Path oneWire = m.directory("one-wire-directory", base);
        Duration retryMax = m.duration("sensor-retry-max");
        String username = m.string("username");
        Optional<Path> passwordFile = files.readableFile(m, "password-file", DeviceService.AGENT);
        m.rejectUnknownKeys();
        if (username != null && !username.isEmpty() && passwordFile.isEmpty()) {
            m.error("password-file", "is required with agent.username (the password is read from this file)");
        }
        if (passwordFile.isPresent() && (username == null || username.isEmpty())) {
            m.error("username", "is required with agent.password-file");
        }
        return new AgentConfig(uri, state, maxInFlight, outboxBudget, outboxSync, reconnect, sessionExpiry,
                healthStream == null ? AgentConfig.DEFAULT_HEALTH_STREAM : healthStream, oneWire, retryMax,
                username == null ? "" : username, passwordFile);
    }
}
