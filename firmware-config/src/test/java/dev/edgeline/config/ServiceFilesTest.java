package dev.edgeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.config.render.DeviceRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each service runs as its own user on a provisioned device and can read only its own secrets: the loader knows
 * which service reads each file the configuration names, checks only the files of the services it is asked for,
 * and hands the list to provisioning ({@code provisioning.json}), which grants each file to exactly its readers.
 */
class ServiceFilesTest {
    private static final String YAML = """
            device: {id: pi-7}
            broker:
              listeners:
                - {name: local, host: 127.0.0.1, port: 1883}
                - {name: lan, host: 0.0.0.0, port: 8883, tls: {cert-file: /secrets/mqtt.pem, key-file: /secrets/mqtt.key}}
              auth: {password-file: /secrets/mqtt.passwd}
            spool: {directory: spool}
            agent: {state-directory: agent, username: edge-agent, password-file: /secrets/agent.password}
            kafka:
              bootstrap-servers: "k:9093"
              security: {protocol: SASL_SSL, ca-file: /secrets/kafka-ca.pem, username: pi-7,
                         password-file: /secrets/kafka.password}
              routes: [{mqtt-filter: "edge/#", kafka-topic: t}]
            monitoring: {bearer-token-file: /secrets/metrics.token}
            sensors: []
            """;

    @TempDir
    Path dir;

    @Test
    void everyNamedFile_isListedWithTheServicesThatReadIt() throws Exception {
        DeviceConfig config = ConfigLoader.parse(Path.of("d.yaml"), YAML, dir, DeviceService.none());
        assertThat(config.files()).extracting(f -> f.key() + " " + f.path() + " " + f.readers().stream().sorted()
                .map(DeviceService::configName).toList()).containsExactly(
                "broker.listeners[1].tls.cert-file /secrets/mqtt.pem [broker]",
                "broker.listeners[1].tls.key-file /secrets/mqtt.key [broker]",
                "broker.auth.password-file /secrets/mqtt.passwd [broker]",
                "agent.password-file /secrets/agent.password [agent]",
                "kafka.security.ca-file /secrets/kafka-ca.pem [bridge]",
                "kafka.security.password-file /secrets/kafka.password [bridge]",
                "monitoring.bearer-token-file /secrets/metrics.token [broker, bridge]");
    }

    @Test
    void onlyTheFilesOfTheServicesAskedFor_areChecked() {
        assertThat(errorsFor(EnumSet.of(DeviceService.AGENT))).containsExactly(
                "agent.password-file: /secrets/agent.password does not exist or is not a file");
        assertThat(errorsFor(EnumSet.of(DeviceService.BRIDGE))).containsExactlyInAnyOrder(
                "kafka.security.ca-file: /secrets/kafka-ca.pem does not exist or is not a file",
                "kafka.security.password-file: /secrets/kafka.password does not exist or is not a file",
                "monitoring.bearer-token-file: /secrets/metrics.token does not exist or is not a file");
        assertThat(errorsFor(EnumSet.of(DeviceService.BROKER))).containsExactlyInAnyOrder(
                "broker.listeners[1].tls.cert-file: /secrets/mqtt.pem does not exist or is not a file",
                "broker.listeners[1].tls.key-file: /secrets/mqtt.key does not exist or is not a file",
                "broker.auth.password-file: /secrets/mqtt.passwd does not exist or is not a file",
                "monitoring.bearer-token-file: /secrets/metrics.token does not exist or is not a file");
        assertThat(errorsFor(DeviceService.all())).hasSize(7);
    }

    @Test
    void eachService_checksOnlyTheDirectoriesItWrites() throws Exception {
        Files.writeString(dir.resolve("agent"), "a file where the agent's state directory should be");
        DeviceConfig config = ConfigLoader.parse(Path.of("d.yaml"), YAML, dir, DeviceService.none());
        WritableDirectories.check(Path.of("d.yaml"), config, EnumSet.of(DeviceService.BROKER, DeviceService.BRIDGE));
        assertThatThrownBy(() -> WritableDirectories.check(Path.of("d.yaml"), config, EnumSet.of(DeviceService.AGENT)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::toString).containsExactly("agent.state-directory: "
                                + dir.resolve("agent") + " exists and is not a directory"));
    }

    @Test
    void provisioningFacts_nameTheFilesTheirReadersAndTheDirectories_asTheDeviceSeesThem() throws Exception {
        Path data = Path.of("/var/lib/edgeline");
        String facts = DeviceRenderer.render(ConfigLoader.parse(Path.of("d.yaml"), YAML, data, DeviceService.none()),
                YAML).get("provisioning.json");
        assertThat(facts).contains("\"directories\": {\"spool\": \"/var/lib/edgeline/spool\", \"broker_data\": "
                        + "\"/var/lib/edgeline/broker\", \"agent_state\": \"/var/lib/edgeline/agent\", \"commands\": null}",
                "{\"key\": \"agent.password-file\", \"path\": \"/secrets/agent.password\", \"readers\": [\"agent\"]}",
                "{\"key\": \"monitoring.bearer-token-file\", \"path\": \"/secrets/metrics.token\", "
                        + "\"readers\": [\"broker\", \"bridge\"]}");
    }

    @Test
    void serviceLists_parseByName_andAnUnknownNameIsNamed() {
        assertThat(DeviceService.parseList("broker,bridge")).containsExactlyInAnyOrder(DeviceService.BROKER,
                DeviceService.BRIDGE);
        assertThat(DeviceService.parseList("all")).isEqualTo(DeviceService.all());
        assertThat(DeviceService.parseList("none")).isEmpty();
        assertThatThrownBy(() -> DeviceService.parseList("broker,kafka")).hasMessage(
                "'kafka' is not a service (broker, bridge, agent; or all, none)");
    }

    private java.util.List<String> errorsFor(Set<DeviceService> services) {
        try {
            ConfigLoader.parse(Path.of("d.yaml"), YAML, dir, services);
            return java.util.List.of();
        } catch (InvalidConfigException e) {
            return e.errors().stream().map(ConfigError::toString).toList();
        }
    }
}
