package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code config validate --service}: provisioning runs the device's check once per service user, each with the
 * files that service reads (a service's user cannot read another's secrets), and {@code render --data-dir} names
 * the directories and files as the device sees them.
 */
class ConfigValidateCommandTest {
    private static Path config(Path dir) throws Exception {
        Path passwords = Files.writeString(dir.resolve("mqtt.passwd"), "");
        return Files.writeString(dir.resolve("device.yaml"), """
                device: {id: pi-9}
                broker:
                  listener: {host: 127.0.0.1, port: 1883}
                  auth: {password-file: %s}
                spool: {directory: spool}
                agent: {state-directory: agent, username: edge-agent, password-file: %s}
                kafka: {bootstrap-servers: "k:9092", routes: [{mqtt-filter: "edge/#", kafka-topic: t}]}
                sensors: []
                """.formatted(passwords, dir.resolve("agent.password")));
    }

    @Test
    void eachService_isCheckedWithItsOwnFiles(@TempDir Path dir) throws Exception {
        Path yaml = config(dir);
        List<String> base = List.of("config", "validate", yaml.toString(), "--data-dir", dir.toString());
        assertThat(EdgeCommand.run(with(base, "--service", "broker,bridge")).status()).isZero();
        EdgeCommand agent = EdgeCommand.run(with(base, "--service", "agent"));
        assertThat(agent.status()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(agent.err()).contains("agent.password-file: " + dir.resolve("agent.password")
                + " does not exist or is not a file").doesNotContain("mqtt.passwd");
        assertThat(EdgeCommand.run(with(base)).status()).isEqualTo(ExitCodes.INVALID_INPUT); // all services by default
        EdgeCommand unknown = EdgeCommand.run(with(base, "--service", "kafka"));
        assertThat(unknown.status()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(unknown.err()).contains("--service: 'kafka' is not a service");
    }

    @Test
    void directoriesAreChecked_unlessProvisioningMakesThemItself(@TempDir Path dir) throws Exception {
        Path yaml = config(dir);
        Files.writeString(dir.resolve("spool"), "a file where the spool directory should be");
        List<String> base = List.of("config", "validate", yaml.toString(), "--data-dir", dir.toString(),
                "--service", "broker");
        assertThat(EdgeCommand.run(with(base)).err()).contains("spool.directory: " + dir.resolve("spool")
                + " exists and is not a directory");
        assertThat(EdgeCommand.run(with(base, "--check-directories", "no")).status()).isZero();
    }

    @Test
    void rendering_withTheDevicesDataDirectory_namesWhatEachServiceReadsAndWrites(@TempDir Path dir) throws Exception {
        Path yaml = config(dir);
        Path out = dir.resolve("rendered");
        assertThat(EdgeCommand.run("config", "render", yaml.toString(), "--out", out.toString(), "--check-files", "no",
                "--data-dir", "/var/lib/edgeline").status()).isZero();
        assertThat(Files.readString(out.resolve("provisioning.json"))).contains(
                "\"directories\": {\"spool\": \"/var/lib/edgeline/spool\", \"broker_data\": "
                        + "\"/var/lib/edgeline/broker\", \"agent_state\": \"/var/lib/edgeline/agent\", \"commands\": null}",
                "\"key\": \"broker.auth.password-file\", \"path\": \"" + dir.resolve("mqtt.passwd")
                        + "\", \"readers\": [\"broker\"]");
    }

    private static String[] with(List<String> base, String... more) {
        List<String> args = new ArrayList<>(base);
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }
}
