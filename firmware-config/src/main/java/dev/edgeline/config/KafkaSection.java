package dev.edgeline.config;

import dev.edgeline.config.internal.ErrorSink;
import dev.edgeline.config.internal.YamlMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Reads {@code kafka}: the cluster, the routes from MQTT topics to Kafka topics, delivery and security. */
final class KafkaSection {
    private final ErrorSink errors;
    private final ConfigFiles files;
    private final Path base;

    KafkaSection(ErrorSink errors, ConfigFiles files, Path base) {
        this.errors = errors;
        this.files = files;
        this.base = base;
    }

    BridgeConfig read(YamlMap m, SpoolConfig spool, int maxRecordBytes) {
        String bootstrap = m.string("bootstrap-servers");
        if (bootstrap != null) {
            for (String server : bootstrap.split(",")) {
                var matcher = ConfigNames.HOST_PORT.matcher(server.trim());
                if (!matcher.matches() || Integer.parseInt(matcher.group(2)) < 1
                        || Integer.parseInt(matcher.group(2)) > 65535) {
                    m.error("bootstrap-servers", "'" + server.trim() + "' is not host:port with a port 1..65535");
                }
            }
        }
        List<Route> routes = m.list("routes", (path, node) -> YamlMap.of(path, node, errors)
                .flatMap(r -> readRoute(r, spool)));
        if (m.has("routes") && m.sizeOf("routes") == 0 && m.isValid("routes")) {
            m.error("routes", "at least one route is needed, or nothing is bridged");
        }
        int batch = m.integer("batch-records");
        Duration backoff = m.duration("retry-backoff-max");
        String gapTopic = m.string("gap-topic");
        if (gapTopic != null && !ConfigNames.KAFKA_TOPIC.matcher(gapTopic).matches()) {
            m.error("gap-topic", "'" + gapTopic + "' is not a valid Kafka topic name ([A-Za-z0-9._-], 1..249)");
        }
        String deliveryText = m.string("delivery");
        BridgeConfig.Delivery delivery = "at-least-once".equals(deliveryText) ? BridgeConfig.Delivery.AT_LEAST_ONCE
                : BridgeConfig.Delivery.EXACTLY_ONCE;
        String checkpointTopic = m.string("checkpoint-topic");
        if (checkpointTopic != null && !ConfigNames.KAFKA_TOPIC.matcher(checkpointTopic).matches()) {
            m.error("checkpoint-topic", "'" + checkpointTopic + "' is not a valid Kafka topic name ([A-Za-z0-9._-], 1..249)");
        }
        KafkaSecurity security = m.optionalMap("security").map(this::readSecurity).orElse(KafkaSecurity.plaintext());
        long maxBytesPerSecond = m.longValue("max-bytes-per-second");
        String compression = m.string("compression");
        CommandsConfig commands = m.optionalMap("commands").map(this::readCommands)
                .orElse(CommandsConfig.disabled());
        m.rejectUnknownKeys();
        if (commands.enabled() && delivery != BridgeConfig.Delivery.EXACTLY_ONCE) {
            m.error("commands.enabled", "commands need delivery: exactly-once (each result is written in the Kafka "
                    + "transaction that commits the command's consumption or its end)");
        }
        return new BridgeConfig(bootstrap == null ? "" : bootstrap, routes, batch, backoff,
                m.orDefault(gapTopic, "gap-topic"), delivery, m.orDefault(checkpointTopic, "checkpoint-topic"),
                m.orDefault(compression, "compression"), security, maxBytesPerSecond, maxRecordBytes, commands);
    }

    private CommandsConfig readCommands(YamlMap m) {
        boolean enabled = m.bool("enabled");
        String prefix = m.string("topic-prefix");
        String desiredPrefix = m.string("desired-topic-prefix");
        String group = m.has("group") ? m.string("group") : "";
        String results = m.string("results-topic");
        Path directory = m.directory("directory", base);
        long maxQueueBytes = m.longValue("max-queue-bytes");
        int rememberIds = m.integer("remember-ids");
        Duration defaultTtl = m.duration("default-ttl");
        String mqttUsername = m.has("mqtt-username") ? m.string("mqtt-username") : "";
        // Read by the broker's process (the command bridge runs there) or by edge-bridge (when it runs apart).
        Optional<Path> mqttPassword = files.readableFile(m, "mqtt-password-file", DeviceService.BROKER,
                DeviceService.BRIDGE);
        if (mqttUsername != null && !mqttUsername.isEmpty() && mqttPassword.isEmpty() && !m.has("mqtt-password-file")) {
            m.error("mqtt-password-file", "is required with mqtt-username (the password is read from this file)");
        }
        if ((mqttUsername == null || mqttUsername.isEmpty()) && m.has("mqtt-password-file")) {
            m.error("mqtt-username", "is required with mqtt-password-file");
        }
        m.rejectUnknownKeys();
        if (prefix != null && !ConfigNames.KAFKA_TOPIC.matcher(prefix).matches()) {
            m.error("topic-prefix", "'" + prefix + "' is not the start of a valid Kafka topic name ([A-Za-z0-9._-])");
        }
        if (desiredPrefix != null && !ConfigNames.KAFKA_TOPIC.matcher(desiredPrefix).matches()) {
            m.error("desired-topic-prefix", "'" + desiredPrefix + "' is not the start of a valid Kafka topic name "
                    + "([A-Za-z0-9._-])");
        }
        if (group != null && !group.isEmpty() && CommandsConfig.groupProblem(group) != null) {
            m.error("group", CommandsConfig.groupProblem(group));
        }
        if (results != null && !ConfigNames.KAFKA_TOPIC.matcher(results).matches()) {
            m.error("results-topic", "'" + results + "' is not a valid Kafka topic name ([A-Za-z0-9._-], 1..249)");
        }
        if (defaultTtl.compareTo(Duration.ofSeconds(1)) < 0) {
            m.error("default-ttl", "must be at least 1s");
        }
        return new CommandsConfig(enabled, m.orDefault(prefix, "topic-prefix"),
                m.orDefault(desiredPrefix, "desired-topic-prefix"), group == null ? "" : group,
                m.orDefault(results, "results-topic"),
                directory, maxQueueBytes, rememberIds, defaultTtl, mqttUsername == null ? "" : mqttUsername,
                mqttPassword);
    }

    private KafkaSecurity readSecurity(YamlMap m) {
        String protocolText = m.string("protocol");
        KafkaSecurity.Protocol protocol = KafkaSecurity.Protocol.valueOf(m.orDefault(protocolText, "protocol"));
        Optional<Path> ca = files.readableFile(m, "ca-file", DeviceService.BRIDGE);
        Optional<Path> cert = files.readableFile(m, "client-cert-file", DeviceService.BRIDGE);
        Optional<Path> key = files.readableFile(m, "client-key-file", DeviceService.BRIDGE);
        String mechanism = m.string("sasl-mechanism");
        String username = m.string("username");
        Optional<Path> password = files.readableFile(m, "password-file", DeviceService.BRIDGE);
        m.rejectUnknownKeys();
        if (cert.isPresent() != key.isPresent()) {
            m.error(cert.isPresent() ? "client-key-file" : "client-cert-file",
                    "client-cert-file and client-key-file go together (mTLS)");
        }
        ca.ifPresent(file -> files.checkCertificates(m, DeviceService.BRIDGE, "ca-file", file));
        files.checkCertificateAndKey(m, DeviceService.BRIDGE, "client-cert-file", cert, "client-key-file", key);
        if (protocol == KafkaSecurity.Protocol.SASL_SSL) {
            if (username == null || username.isBlank()) {
                m.error("username", "is required with SASL_SSL");
            }
            if (password.isEmpty()) {
                m.error("password-file", "is required with SASL_SSL (the password is read from this file)");
            }
        }
        if (protocol == KafkaSecurity.Protocol.PLAINTEXT && (ca.isPresent() || cert.isPresent() || password.isPresent())) {
            m.error("protocol", "PLAINTEXT sends no certificates or passwords; use SSL or SASL_SSL");
        }
        return new KafkaSecurity(protocol, ca, cert, key, mechanism == null ? "" : mechanism,
                username == null ? "" : username, password);
    }

    private Optional<Route> readRoute(YamlMap m, SpoolConfig spool) {
        String filter = m.string("mqtt-filter");
        String topic = m.string("kafka-topic");
        String key = m.string("key");
        boolean headersGiven = m.has("headers");
        Route.Headers headers = m.choice("headers", Route.choices(Route.Headers.class),
                Route.Named::configName);
        Route.Format format = m.choice("format", Route.choices(Route.Format.class),
                Route.Named::configName);
        Route.Timestamp timestamp = m.choice("timestamp",
                Route.choices(Route.Timestamp.class), Route.Named::configName);
        if (headersGiven && format != null && format != Route.Format.BINARY) {
            m.error("headers", "applies to format: binary only (format: " + format.configName() + " writes the"
                    + " identity headers and puts everything else in the JSON value)");
            headers = null;
        }
        String lane;
        if (spool.lanes().size() == 1) {
            lane = m.string("lane", spool.lanes().getFirst().name());
        } else {
            lane = m.string("lane");
            if (lane == null && m.isValid("lane")) {
                m.error("lane", "is required: spool.lanes has several lanes");
            }
        }
        m.rejectUnknownKeys();
        if (lane != null && spool.lane(lane).isEmpty()) {
            m.error("lane", "unknown lane '" + lane + "'; spool.lanes has: "
                    + String.join(", ", spool.lanes().stream().map(SpoolConfig.Lane::name).toList()));
            lane = null;
        }
        boolean valid = filter != null && topic != null && key != null && lane != null && headers != null
                && format != null && timestamp != null;
        if (filter != null) {
            Optional<String> problem = TopicFilter.problemWith(filter);
            problem.ifPresent(p -> m.error("mqtt-filter", p));
            valid &= problem.isEmpty();
        }
        if (topic != null && !ConfigNames.KAFKA_TOPIC.matcher(topic).matches()) {
            m.error("kafka-topic", "'" + topic + "' is not a valid Kafka topic name ([A-Za-z0-9._-], 1..249)");
            valid = false;
        }
        if (key != null) {
            Optional<String> problem = KeyTemplate.problemWith(key);
            problem.ifPresent(p -> m.error("key", p));
            valid &= problem.isEmpty();
        }
        return valid ? Optional.of(new Route(TopicFilter.parse(filter), topic, KeyTemplate.parse(key), lane, headers,
                format, timestamp))
                : Optional.empty();
    }
}
