package dev.edgeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final Path BASE = Path.of("/var/lib/edge");
    /** A complete, valid device configuration; other tests add to it. */
    static final String MINIMAL = """
            device:
              id: pi-0042
            spool:
              directory: spool
            agent:
              state-directory: /var/lib/edge-agent
            kafka:
              bootstrap-servers: kafka-1.example:9093,kafka-2.example:9093
              routes:
                - mqtt-filter: "edge/+/+"
                  kafka-topic: site.readings
            sensors:
              - stream: temperature
                type: simulated-analog
                period: 250ms
            """;

    @Test
    void demoConfig_inTheRepository_isValid() throws Exception {
        DeviceConfig config = ConfigLoader.load(Path.of("../config/demo.yaml"), BASE);
        assertThat(config.device().id()).isEqualTo("demo-pi-0001");
        assertThat(config.sensors()).extracting(SensorConfig::stream).containsExactly("temperature", "humidity", "door");
    }

    @Test
    void minimalConfig_getsDocumentedDefaults_andResolvesRelativeDirectories() throws Exception {
        DeviceConfig config = parse(MINIMAL);
        assertThat(config.broker().host()).isEqualTo("127.0.0.1");
        assertThat(config.broker().port()).isEqualTo(1883);
        assertThat(config.broker().sessionPersistence()).isEqualTo(BrokerConfig.SessionPersistence.IN_MEMORY);
        assertThat(config.spool().directory()).isEqualTo(BASE.resolve("spool"));
        assertThat(config.spool().segmentBytes()).isEqualTo(16L << 20);
        assertThat(config.spool().budgetBytes()).isEqualTo(1L << 30);
        assertThat(config.spool().lanes()).extracting(SpoolConfig.Lane::name).containsExactly("telemetry");
        assertThat(config.bridge().routes().getFirst().lane()).isEqualTo("telemetry");
        assertThat(config.agent().stateDirectory()).isEqualTo(Path.of("/var/lib/edge-agent"));
        assertThat(config.agent().brokerUri()).isEqualTo("tcp://127.0.0.1:1883");
        assertThat(config.sensors().getFirst().period()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.bridge().routeFor("edge/pi-0042/temperature")).isPresent();
        assertThat(config.bridge().routes().getFirst().keyTemplate().toString()).isEqualTo("{device}/{stream}");
    }

    @Test
    void brokerStartTimeout_defaultsToFiveMinutes_andIsAtLeastASecond() throws Exception {
        assertThat(parse(MINIMAL).broker().startTimeout()).isEqualTo(java.time.Duration.ofMinutes(5));
        String slowBoard = MINIMAL + "broker:\n  start-timeout: 10m\n";
        assertThat(parse(slowBoard).broker().startTimeout()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThatThrownBy(() -> parse(MINIMAL + "broker:\n  start-timeout: 500ms\n"))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::toString).contains("broker.start-timeout: 500ms is shorter than 1s"));
    }

    @Test
    void everyError_isReportedWithItsPath_inOneRun() {
        String yaml = MINIMAL.replace("id: pi-0042", "id: pi/0042")
                .replace("period: 250ms", "period: 0ms")
                .replace("kafka-2.example:9093", "kafka-2.example")
                .replace("mqtt-filter: \"edge/+/+\"", "mqtt-filter: \"edge/#/x\"");
        assertThatThrownBy(() -> parse(yaml)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).contains(
                        "device.id: 'pi/0042' is not a valid device id (letters, digits, '.', '_', '-'; at most 64; no '/', '+' or '#', which would break MQTT topics)",
                        "sensors[0].period: PT0S is out of range 1ms..24h",
                        "kafka.bootstrap-servers: 'kafka-2.example' is not host:port with a port 1..65535",
                        "kafka.routes[0].mqtt-filter: 'edge/#/x': '#' is allowed only as the last level"));
    }

    @Test
    void lanes_budgetsAndPolicies_areRead_andRoutesNameTheirLane() throws Exception {
        DeviceConfig config = ConfigLoader.load(Path.of("../config/demo.yaml"), BASE);
        assertThat(config.spool().lanes()).extracting(SpoolConfig.Lane::name).containsExactly("alarm", "telemetry", "bulk");
        assertThat(config.spool().lane("bulk").orElseThrow().whenFull()).isEqualTo(SpoolConfig.FullPolicy.DROP_OLDEST);
        assertThat(config.bridge().routeFor("edge/demo-pi-0001/door").orElseThrow().lane()).isEqualTo("alarm");
        assertThat(config.bridge().routeFor("edge/demo-pi-0001/humidity").orElseThrow().lane()).isEqualTo("telemetry");
        assertThat(config.bridge().gapTopic()).isEqualTo("edge.gaps");
    }

    @Test
    void routeHeaders_areFullUnlessARouteAsksForIdentity_andAnythingElseIsNamed() throws Exception {
        assertThat(parse(MINIMAL).bridge().routes().getFirst().headers()).isEqualTo(Route.Headers.FULL);
        String identity = MINIMAL.replace("kafka-topic: site.readings", "kafka-topic: site.readings\n      headers: identity");
        assertThat(parse(identity).bridge().routes().getFirst().headers()).isEqualTo(Route.Headers.IDENTITY);
        String wrong = MINIMAL.replace("kafka-topic: site.readings", "kafka-topic: site.readings\n      headers: minimal");
        assertThatThrownBy(() -> parse(wrong)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString)
                        .contains("kafka.routes[0].headers: 'minimal' is not one of: full, identity"));
    }

    @Test
    void routeFormatAndTimestamp_defaultToBinaryAndArrival_andAnythingElseIsNamed() throws Exception {
        Route defaults = parse(MINIMAL).bridge().routes().getFirst();
        assertThat(defaults.format()).isEqualTo(Route.Format.BINARY);
        assertThat(defaults.timestamp()).isEqualTo(Route.Timestamp.ARRIVAL);
        Route chosen = parse(MINIMAL.replace("kafka-topic: site.readings",
                "kafka-topic: site.readings\n      format: structured\n      timestamp: reading"))
                .bridge().routes().getFirst();
        assertThat(chosen.format()).isEqualTo(Route.Format.STRUCTURED);
        assertThat(chosen.timestamp()).isEqualTo(Route.Timestamp.READING);
        String wrong = MINIMAL.replace("kafka-topic: site.readings",
                "kafka-topic: site.readings\n      format: avro\n      timestamp: kafka");
        assertThatThrownBy(() -> parse(wrong)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).contains(
                        "kafka.routes[0].format: 'avro' is not one of: binary, structured, connect",
                        "kafka.routes[0].timestamp: 'kafka' is not one of: arrival, reading"));
    }

    @Test
    void headersOnAStructuredRoute_areRefused_becauseTheyWouldNotApply() {
        String both = MINIMAL.replace("kafka-topic: site.readings",
                "kafka-topic: site.readings\n      format: structured\n      headers: full");
        assertThatThrownBy(() -> parse(both)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).anySatisfy(error -> assertThat(error)
                        .startsWith("kafka.routes[0].headers: applies to format: binary only")));
    }

    @Test
    void laneMistakes_areReportedWithTheirPaths() {
        String yaml = MINIMAL.replace("spool:\n  directory: spool\n", "spool:\n  directory: spool\n"
                        + "  segment-bytes: 1048576\n  lanes:\n"
                        + "    - {name: alarm, budget-bytes: 1048576, when-full: shout}\n"
                        + "    - {name: alarm}\n")
                .replace("kafka-topic: site.readings", "kafka-topic: site.readings\n      lane: bulk");
        assertThatThrownBy(() -> parse(yaml)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).contains(
                        "spool.lanes[0].budget-bytes: 1048576 must be at least twice the spool's segment-bytes (1048576)",
                        "spool.lanes[0].when-full: 'shout' is not one of: block, drop-oldest",
                        "spool.lanes[1].name: duplicate lane name 'alarm' (already used by lanes[0])",
                        "kafka.routes[0].lane: unknown lane 'bulk'; spool.lanes has: alarm, alarm"));
    }

    @Test
    void aValueOutOfRange_isReportedOnce_andNeverAsAPlaceholderInAnotherKeysMessage() {
        String yaml = MINIMAL.replace("spool:\n  directory: spool\n", "spool:\n  directory: spool\n"
                + "  budget-bytes: 1000\n  lanes:\n    - {name: telemetry}\n");
        assertThatThrownBy(() -> parse(yaml)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                        "spool.budget-bytes: 1000 is out of range: at least 131072"));
    }

    @Test
    void aRouteWithAMistake_isReportedAlone_notAlsoAsNoRouteAtAll() {
        String twoLanes = MINIMAL.replace("spool:\n  directory: spool\n", "spool:\n  directory: spool\n"
                + "  lanes:\n    - {name: alarm, budget-bytes: 67108864}\n    - {name: bulk, budget-bytes: 67108864}\n");
        assertThatThrownBy(() -> parse(twoLanes)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString)
                        .noneMatch(message -> message.contains("at least one route"))
                        .anyMatch(message -> message.startsWith("kafka.routes[0].lane: ")));
        String noRoutes = MINIMAL.replace("  routes:\n    - mqtt-filter: \"edge/+/+\"\n      kafka-topic: site.readings\n",
                "  routes: []\n");
        assertThatThrownBy(() -> parse(noRoutes)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString)
                        .contains("kafka.routes: at least one route is needed, or nothing is bridged"));
    }

    private static final String HARDWARE = MINIMAL.replace("""
              - stream: temperature
                type: simulated-analog
                period: 250ms
            """, """
              - stream: env
                type: bme280
                period: 1s
                i2c-bus: 1
                address: 0x77
                mode: normal
                oversampling: {temperature: 2, pressure: 16, humidity: 1}
                iir-filter: 4
              - stream: probe
                type: ds18b20
                period: 5s
                device-id: 28-0316a2799aff
                gpio-pin: 17
              - stream: tank
                type: mcp3008
                period: 100ms
                spi-bus: 0
                chip-select: 1
                channel: 3
                reference-volts: 3.3
              - stream: door
                type: digital-input
                period: 1s
                gpio-pin: 22
                pull: up
                debounce: 30ms
            """);

    @Test
    void hardwareSensors_areReadWithTheirBusSettings() throws Exception {
        DeviceConfig config = parse(HARDWARE);
        assertThat(config.sensors()).containsExactly(
                new SensorConfig.Bme280("env", Duration.ofSeconds(1), 1, 0x77, SensorConfig.Bme280Mode.NORMAL, 2, 16, 1, 4),
                new SensorConfig.Ds18b20("probe", Duration.ofSeconds(5), "28-0316a2799aff", 17),
                new SensorConfig.Mcp3008("tank", Duration.ofMillis(100), 0, 1, 3, 3.3, 1_000_000),
                new SensorConfig.DigitalInput("door", Duration.ofSeconds(1), 22, SensorConfig.Pull.UP, Duration.ofMillis(30)));
        assertThat(config.sensors().getFirst().streams())
                .containsExactly("env-temperature", "env-pressure", "env-humidity");
        assertThat(config.agent().healthStream()).isEqualTo("health");
        assertThat(config.agent().oneWireDirectory()).isEqualTo(Path.of("/sys/bus/w1/devices"));
    }

    @Test
    void hardwareMistakes_areNamedWithTheirPaths() {
        String yaml = HARDWARE.replace("address: 0x77", "address: 0x40")
                .replace("pressure: 16", "pressure: 3")
                .replace("28-0316a2799aff", "28-XYZ")
                .replace("channel: 3", "channel: 8")
                .replace("pull: up", "pull: sideways");
        assertThatThrownBy(() -> parse(yaml)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).contains(
                        "sensors[0].address: 0x40 is not a BME280 address (0x76 or 0x77)",
                        "sensors[0].oversampling.pressure: 3 is not one of: 0, 1, 2, 4, 8, 16",
                        "sensors[1].device-id: '28-XYZ' is not a DS18B20 1-Wire id ('28-' and 12 lowercase hex "
                                + "digits, as listed in /sys/bus/w1/devices)",
                        "sensors[2].channel: 8 is out of range 0..7",
                        "sensors[3].pull: 'sideways' is not one of: up, down, none"));
    }

    @Test
    void twoSensorsOnOneGpioPin_isAnError() {
        String yaml = HARDWARE.replace("type: ds18b20", "type: digital-input").replace("    device-id: 28-0316a2799aff\n", "")
                .replace("gpio-pin: 22", "gpio-pin: 17");
        assertThatThrownBy(() -> parse(yaml)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).contains(
                        "sensors[3]: GPIO 17 is already used by sensors[1]"));
    }

    @Test
    void digitalOutput_isReadWithItsSafeState_andShares_noPinWithAnInput() throws Exception {
        String relay = HARDWARE.replace("  routes:\n", "  commands: {enabled: true}\n  routes:\n") + """
                  - {stream: relay, type: digital-output, period: 10s, gpio-pin: 23, safe-state: high}
                  - {stream: valve, type: digital-output, period: 10s, gpio-pin: 24}
                """;
        DeviceConfig config = parse(relay);
        assertThat(config.sensors().subList(4, 6)).containsExactly(
                new SensorConfig.DigitalOutput("relay", Duration.ofSeconds(10), 23, true),
                new SensorConfig.DigitalOutput("valve", Duration.ofSeconds(10), 24, false));
        assertThatThrownBy(() -> parse(relay.replace("gpio-pin: 23", "gpio-pin: 22")
                .replace("safe-state: high", "safe-state: off")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e ->
                        assertThat(e.errors()).extracting(ConfigError::toString).contains(
                                "sensors[4]: GPIO 22 is already used by sensors[3]",
                                "sensors[4].safe-state: 'off' is not one of: low, high"));
        assertThatThrownBy(() -> parse(relay.replace("  commands: {enabled: true}\n", "")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e ->
                        assertThat(e.errors()).extracting(ConfigError::toString).contains(
                                "sensors[4]: a digital-output is switched by commands: it needs kafka.commands.enabled: "
                                        + "true (without it the output could never leave its safe state)"));
    }

    @Test
    void misspeltKey_isAnError_notSilentlyIgnored() {
        assertThatThrownBy(() -> parse(MINIMAL.replace("    period: 250ms", "    periode: 250ms")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::path).contains("sensors[0].periode", "sensors[0].period"));
    }

    @Test
    void streamThatNoRouteBridges_isAnError() {
        String yaml = MINIMAL.replace("mqtt-filter: \"edge/+/+\"", "mqtt-filter: \"lan/#\"");
        assertThatThrownBy(() -> parse(yaml)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                        "sensors[0].stream: stream 'temperature' publishes on edge/pi-0042/temperature, which no "
                                + "kafka.routes entry matches, so it would never reach Kafka",
                        "agent.health-stream: stream 'health' publishes on edge/pi-0042/health, which no "
                                + "kafka.routes entry matches, so it would never reach Kafka",
                        "kafka.routes: stream 'broker-health' publishes on edge/pi-0042/broker-health, which no "
                                + "kafka.routes entry matches, so it would never reach Kafka"));
    }

    @Test
    void lanListenerWithoutAuthentication_isRefused_unlessInsecureIsExplicit() throws Exception {
        String lan = MINIMAL.replace("spool:\n", "broker:\n  listener: {host: 0.0.0.0, port: 1883}\nspool:\n");
        assertThatThrownBy(() -> parse(lan)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).containsExactly("broker.listener.host: 0.0.0.0 "
                        + "is reachable from the LAN but this listener authenticates no one: set "
                        + "broker.auth.password-file, or tls.client-ca-file (mTLS), or 'insecure: true' to accept "
                        + "anonymous clients on the LAN knowingly"));
        DeviceConfig insecure = parse(lan.replace("port: 1883}", "port: 1883, insecure: true}"));
        assertThat(insecure.broker().listeners().getFirst().insecure()).isTrue();
        assertThat(insecure.broker().listeners().getFirst().loopback()).isFalse();
        assertThat(parse(MINIMAL).broker().listeners().getFirst().loopback()).isTrue();
    }

    @Test
    void listenerHostThatIsNotAnAddress_andMissingSecretFiles_areErrorsWithTheirPaths() {
        String yaml = MINIMAL.replace("spool:\n", """
                broker:
                  listeners:
                    - {host: "not a host", port: 1883}
                    - name: lan
                      host: 192.168.1.20
                      port: 8883
                      tls: {cert-file: /nonexistent/broker.pem, key-file: /nonexistent/broker.key}
                  auth: {password-file: /nonexistent/mqtt.passwd}
                spool:
                """);
        assertThatThrownBy(() -> parse(yaml)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).contains(
                        "broker.listeners[0].host: 'not a host' is not an IP address to bind (such as 127.0.0.1, "
                                + "0.0.0.0, ::, 192.168.1.20) or localhost",
                        "broker.listeners[1].tls.cert-file: /nonexistent/broker.pem does not exist or is not a file",
                        "broker.listeners[1].tls.key-file: /nonexistent/broker.key does not exist or is not a file",
                        "broker.auth.password-file: /nonexistent/mqtt.passwd does not exist or is not a file",
                        "agent.username: is required: broker.auth.password-file makes the broker ask every client "
                                + "for a password, the agent included (and agent.password-file)"));
        // Away from the device (Ansible's control node) the files are not checked.
        assertThatThrownBy(() -> ConfigLoader.parse(Path.of("device.yaml"), yaml, BASE, false))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::path).doesNotContain("broker.listeners[1].tls.cert-file"));
    }

    @Test
    void commands_inAGroup_shareTheGroupsTopics_andKeyTheDesiredStateByDevice() throws Exception {
        CommandsConfig grouped = parse(MINIMAL.replace("  routes:\n", """
                  commands: {enabled: true, group: site-12}
                  routes:
                """)).bridge().commands();
        assertThat(grouped.grouped()).isTrue();
        assertThat(grouped.topicOf("pi-0042")).isEqualTo("edge.commands.group.site-12");
        assertThat(grouped.desiredTopicOf("pi-0042")).isEqualTo("edge.desired.group.site-12");
        assertThat(grouped.desiredKeyPrefixOf("pi-0042")).isEqualTo("pi-0042/");
        CommandsConfig own = parse(MINIMAL.replace("  routes:\n", """
                  commands: {enabled: true}
                  routes:
                """)).bridge().commands();
        assertThat(own.grouped()).isFalse();
        assertThat(own.desiredTopicOf("pi-0042")).isEqualTo("edge.desired.pi-0042");
        assertThat(own.desiredKeyPrefixOf("pi-0042")).isEmpty();

        String badGroup = MINIMAL.replace("  routes:\n", """
                  commands: {enabled: true, group: "site/12"}
                  routes:
                """);
        assertThatThrownBy(() -> parse(badGroup)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).contains("kafka.commands.group: 'site/12' is "
                        + "not a group name: 1 to 64 of [A-Za-z0-9._-], starting with a letter or digit"));
        String groupLikeId = MINIMAL.replace("id: pi-0042", "id: group.site-12").replace("  routes:\n", """
                  commands: {enabled: true}
                  routes:
                """);
        assertThatThrownBy(() -> parse(groupLikeId)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).anyMatch(error -> error.startsWith(
                        "device.id: 'group.site-12' starts with 'group.', which names command groups' topics")));
    }

    @Test
    void commands_readTheirKeys_needExactlyOnce_andTheirOwnUserOnABrokerWithPasswords() throws Exception {
        DeviceConfig config = parse(MINIMAL.replace("  routes:\n", """
                  commands: {enabled: true, max-queue-bytes: 4096, default-ttl: 10m}
                  routes:
                """));
        assertThat(config.bridge().commands().enabled()).isTrue();
        assertThat(config.bridge().commands().topicOf("pi-0042")).isEqualTo("edge.commands.pi-0042");
        assertThat(config.bridge().commands().resultsTopic()).isEqualTo("edge.command-results");
        assertThat(config.bridge().commands().maxQueueBytes()).isEqualTo(4096);
        assertThat(config.bridge().commands().defaultTtl()).isEqualTo(java.time.Duration.ofMinutes(10));
        assertThat(config.bridge().commands().directory()).isEqualTo(BASE.resolve("commands"));
        assertThat(parse(MINIMAL).bridge().commands().enabled()).as("off unless enabled").isFalse();

        String atLeastOnce = MINIMAL.replace("  routes:\n", """
                  delivery: at-least-once
                  commands: {enabled: true, results-topic: "bad topic"}
                  routes:
                """);
        assertThatThrownBy(() -> parse(atLeastOnce)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).contains(
                        "kafka.commands.results-topic: 'bad topic' is not a valid Kafka topic name ([A-Za-z0-9._-], "
                                + "1..249)",
                        "kafka.commands.enabled: commands need delivery: exactly-once (each result is written in the "
                                + "Kafka transaction that commits the command's consumption or its end)"));
        String withPasswords = MINIMAL.replace("spool:\n", """
                broker:
                  auth: {password-file: /nonexistent/mqtt.passwd}
                spool:
                """).replace("  routes:\n", """
                  commands: {enabled: true}
                  routes:
                """);
        assertThatThrownBy(() -> ConfigLoader.parse(Path.of("device.yaml"), withPasswords, BASE, false))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::toString).anySatisfy(error -> assertThat(error).startsWith(
                                "kafka.commands.mqtt-username: is required with broker.auth.password-file: the "
                                        + "command bridge logs in to the local broker as this user")));
        String halfCredentials = MINIMAL.replace("  routes:\n", """
                  commands: {enabled: true, mqtt-username: commands}
                  routes:
                """);
        assertThatThrownBy(() -> ConfigLoader.parse(Path.of("device.yaml"), halfCredentials, BASE, false))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::toString).contains("kafka.commands.mqtt-password-file: is required "
                                + "with mqtt-username (the password is read from this file)"));
        DeviceConfig credentials = ConfigLoader.parse(Path.of("device.yaml"), halfCredentials.replace(
                "mqtt-username: commands}", "mqtt-username: commands, mqtt-password-file: /etc/cmd.password}"), BASE,
                false);
        assertThat(credentials.bridge().commands().mqttUsername()).isEqualTo("commands");
        assertThat(credentials.bridge().commands().mqttPasswordFile()).contains(Path.of("/etc/cmd.password"));
    }

    @Test
    void passwordFile_withPlaintextOrFastHashes_isRefused_namingTheLine_neverTheHash(@org.junit.jupiter.api.io.TempDir
                                                                                     Path dir) throws Exception {
        Path file = dir.resolve("mqtt.passwd");
        String good = "agent:" + PasswordFile.hash("s3cret".getBytes(java.nio.charset.StandardCharsets.UTF_8), 20_000);
        java.nio.file.Files.writeString(file, String.join("\n", "# users", good, "esp32:plaintext",
                "old:$6$abcdefgh$c2FsdA==", "weak:$7$101$YWJjZGVmZ2hpams=$"
                        + java.util.Base64.getEncoder().encodeToString(new byte[64])) + "\n");
        String yaml = MINIMAL.replace("spool:\n", "broker:\n  auth: {password-file: " + file + "}\nspool:\n")
                .replace("  state-directory: /var/lib/edge-agent\n", "  state-directory: /var/lib/edge-agent\n"
                        + "  username: agent\n  password-file: " + file + "\n");
        assertThatThrownBy(() -> parse(yaml)).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                    "broker.auth.password-file: " + file + " line 3 (user esp32): not a $7$ PBKDF2-SHA512 hash "
                            + "(plaintext passwords are not accepted); write it with 'mosquitto_passwd -I 210000' "
                            + "or 'bin/edge passwd'",
                    "broker.auth.password-file: " + file + " line 4 (user old): a $6$ hash (one round of SHA-512) "
                            + "is too fast to be safe; write it again with 'mosquitto_passwd -I 210000' or "
                            + "'bin/edge passwd'",
                    "broker.auth.password-file: " + file + " line 5 (user weak): 101 PBKDF2 iterations are too few "
                            + "(at least 10000); write it again with 'mosquitto_passwd -I 210000' or 'bin/edge passwd'");
            assertThat(e.getMessage()).doesNotContain(good.substring(6));
        });
        java.nio.file.Files.writeString(file, good + "\n");
        PasswordFile passwords = PasswordFile.read(file);
        assertThat(passwords.verify("agent", "s3cret".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isTrue();
        assertThat(passwords.verify("agent", "s3cre".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isFalse();
        assertThat(parse(yaml).agent().username()).isEqualTo("agent");
    }

    @Test
    void wrongShapes_areReportedNotCrashed() {
        assertThatThrownBy(() -> parse("- just\n- a list\n")).isInstanceOfSatisfying(InvalidConfigException.class,
                e -> assertThat(e.errors()).extracting(ConfigError::toString)
                        .containsExactly("<root>: must be a mapping (key: value lines), found a list (line 1)"));
        assertThatThrownBy(() -> parse(MINIMAL.replace("sensors:\n", "sensors: 3\nx:\n")))
                .isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> parse("")).isInstanceOfSatisfying(InvalidConfigException.class,
                e -> assertThat(e.errors()).extracting(ConfigError::message).containsExactly("the file is empty"));
    }

    @Test
    void duplicateYamlKeys_areRejected() {
        assertThatThrownBy(() -> parse(MINIMAL.replace("  id: pi-0042", "  id: pi-0042\n  id: pi-0043")))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.errors().getFirst().message()).contains("duplicate"));
    }

    @Test
    void missingFile_isReportedAsSuch() {
        assertThatThrownBy(() -> ConfigLoader.load(Path.of("/nonexistent/device.yaml"), BASE))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::message).containsExactly("no such file: /nonexistent/device.yaml"));
    }

    private static DeviceConfig parse(String yaml) throws InvalidConfigException {
        return ConfigLoader.parse(Path.of("device.yaml"), yaml, BASE);
    }
}
