package dev.edgeline.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The schema is the one declaration of the configuration keys: the loader reads exactly the keys it declares, every
 * key is documented, its default is a valid value of it, and the reference table in the README is generated from it.
 */
class ConfigSchemaTest {
    /** Every section, list element and sensor type present, with every key the loader reads only when it is given. */
    private static final String EVERY_SECTION = """
            device: {id: pi-1, site: north}
            broker:
              listener:
                name: lan
                host: 127.0.0.1
                port: 1883
                insecure: false
                tls: {cert-file: c.pem, key-file: k.pem, client-ca-file: ca.pem, protocols: [TLSv1.3],
                      cipher-suites: [TLS_AES_128_GCM_SHA256]}
              data-directory: broker
              session-persistence: file
              auth:
                password-file: passwd
                clients:
                  - {user: u, publish: ["a/#"], subscribe: ["b/#"], identity: trusted, client-ids: ["u-*"]}
              quotas: {publishes-per-second: 10, bytes-per-second: 10000, burst-seconds: 2}
              identity-limits: {max-boot-jump: 10, max-seq-jump: 10}
              max-record-bytes: 2048
              start-timeout: 1m
            spool:
              directory: spool
              segment-bytes: 1048576
              budget-bytes: 8388608
              block-timeout: 1s
              max-streams: 10
              max-streams-per-device: 10
              lanes:
                - {name: alarm, budget-bytes: 4194304, when-full: drop-oldest}
                - {name: bulk}
            agent:
              broker-uri: tcp://127.0.0.1:1883
              state-directory: state
              max-in-flight: 8
              outbox-budget-bytes: 1048576
              outbox-sync-interval: 1s
              reconnect-delay-max: 1s
              session-expiry: 1h
              health-stream: health
              one-wire-directory: w1
              sensor-retry-max: 1m
              username: agent
              password-file: agent.pass
            kafka:
              bootstrap-servers: k:9092
              routes:
                - {mqtt-filter: "edge/#", kafka-topic: t, key: "{device}", lane: alarm, headers: full,
                   format: binary, timestamp: arrival}
              batch-records: 10
              retry-backoff-max: 1s
              gap-topic: g
              delivery: exactly-once
              checkpoint-topic: c
              compression: zstd
              max-bytes-per-second: 0
              commands: {enabled: true, topic-prefix: "edge.commands.", desired-topic-prefix: d., group: site-1, results-topic: r, directory: cmd, mqtt-username: c, mqtt-password-file: cp,
                         max-queue-bytes: 4096, remember-ids: 10, default-ttl: 10m}
              security: {protocol: SASL_SSL, ca-file: ca.pem, client-cert-file: c.pem, client-key-file: k.pem,
                         sasl-mechanism: SCRAM-SHA-512, username: u, password-file: p}
            sensors:
              - {stream: a, type: simulated-analog, period: 1s, unit: u, mean: 1, amplitude: 1, noise: 0, cycle: 1m}
              - {stream: b, type: simulated-digital, period: 1s, toggle-every: 2}
              - {stream: c, type: bme280, period: 1s, i2c-bus: 1, address: 0x76, mode: forced,
                 oversampling: {temperature: 1, pressure: 1, humidity: 1}, iir-filter: 0}
              - {stream: d, type: ds18b20, period: 1s, device-id: 28-000000000001, gpio-pin: 4}
              - {stream: e, type: mcp3008, period: 1s, spi-bus: 0, chip-select: 0, channel: 0, reference-volts: 3.3,
                 speed-hz: 1000000}
              - {stream: f, type: digital-input, period: 1s, gpio-pin: 17, pull: up, debounce: 20ms}
              - {stream: g, type: digital-output, period: 1s, gpio-pin: 18, safe-state: low}
            monitoring: {host: 127.0.0.1, broker-port: 9101, bridge-port: 9102, stall-after: 2m,
                         bearer-token-file: token}
            """;

    private static final String SEVERAL_LISTENERS = EVERY_SECTION.replace("  listener:\n", "  listeners:\n      -\n")
            .replaceAll("(?m)^    (name|host|port|insecure|tls|      cipher)", "        $1");

    @Test
    void theLoaderReadsEveryDeclaredKey_andNoOther() {
        Set<String> read = new TreeSet<>(ConfigLoader.keysRead(EVERY_SECTION));
        read.addAll(ConfigLoader.keysRead(SEVERAL_LISTENERS));
        Set<String> declared = new TreeSet<>();
        ConfigSchema.get().keys().forEach(key -> declared.add(key.path()));
        assertThat(read).as("keys the loader reads (an undeclared one fails the read itself)")
                .containsExactlyElementsOf(declared);
    }

    @Test
    void everyKeyIsDocumented_andItsDefaultIsAValueTheLoaderWouldAccept() {
        for (ConfigSchema.ConfigKey key : ConfigSchema.get().keys()) {
            assertThat(key.description()).as(key.path()).isNotBlank();
            assertThat(key.restarts()).as(key.path()).isNotEmpty();
            if (key.defaultValue() == null) {
                continue;
            }
            if (key.type().equals("duration")) {
                assertThat(key.defaultDuration()).as(key.path()).isPositive();
            }
            if (key.defaultValue() instanceof Number value) {
                if (key.minimum() != null) {
                    assertThat(value.doubleValue()).as(key.path()).isGreaterThanOrEqualTo(key.minimum().doubleValue());
                }
                if (key.maximum() != null) {
                    assertThat(value.doubleValue()).as(key.path()).isLessThanOrEqualTo(key.maximum().doubleValue());
                }
            }
            if (!key.allowed().isEmpty() && !(key.defaultValue() instanceof java.util.List<?>)) {
                assertThat(key.allowed()).as(key.path()).contains(key.defaultValue());
            }
        }
    }

    @Test
    void theReadmeTable_isTheOneGeneratedFromTheSchema() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf('\n', readme.indexOf("<!-- config-reference:")) + 1;
        int end = readme.indexOf("<!-- end of config-reference -->");
        assertThat(readme.substring(start, end))
                .as("firmware-config/README.md's key table: regenerate it with bin/edge config reference")
                .isEqualTo(ConfigReference.markdown());
    }

    @Test
    void theRecordsDefaults_areTheSchemas() {
        assertThat(AgentConfig.defaults("tcp://x:1", Path.of("s")).maxInFlight())
                .isEqualTo(ConfigSchema.key("agent.max-in-flight").defaultInt()).isEqualTo(64);
        assertThat(BrokerConfig.DEFAULT_START_TIMEOUT).hasMinutes(5);
        assertThat(BrokerConfig.ListenerTls.DEFAULT_CIPHER_SUITES).hasSize(9).doesNotContainNull();
        assertThat(SpoolConfig.StreamLimits.DEFAULT_TOTAL).isEqualTo(100_000);
        assertThat(KeyTemplate.DEFAULT).isEqualTo("{device}/{stream}");
    }
}
