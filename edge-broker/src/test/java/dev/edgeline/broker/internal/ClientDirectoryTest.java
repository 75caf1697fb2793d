package dev.edgeline.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.config.BrokerConfig;
import dev.edgeline.config.BrokerConfig.ClientAcl;
import dev.edgeline.config.BrokerConfig.IdentityTrust;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClientDirectoryTest {
    private final ClientDirectory clients = new ClientDirectory(new BrokerConfig(
            List.of(new BrokerConfig.Listener("local", "127.0.0.1", 1883, Optional.empty(), false, true)),
            Path.of("broker"), BrokerConfig.SessionPersistence.IN_MEMORY,
            Optional.of(new BrokerConfig.BrokerAuth(Optional.empty(), List.of(
                    new ClientAcl("esp32", List.of("lan/#"), List.of(), IdentityTrust.ASSIGNED),
                    new ClientAcl("esp32-a", List.of("lan/#"), List.of(), IdentityTrust.ASSIGNED),
                    new ClientAcl("plc", List.of("lan/#"), List.of(), IdentityTrust.ASSIGNED,
                            List.of("line-{device}-*"))))),
            BrokerConfig.IdentityLimits.defaults(), 1_000_000, BrokerConfig.DEFAULT_START_TIMEOUT),
            "pi-7", Optional.of("agent"), Optional.of("commands"));

    @Test
    void aClientIdBelongsToTheUserWhosePatternFixesMoreOfIt() {
        assertThat(clients.clientIdProblem("esp32", "esp32")).isEmpty();
        assertThat(clients.clientIdProblem("esp32", "esp32-b")).isEmpty();
        assertThat(clients.clientIdProblem("esp32", "esp32-a"))
                .contains("client id 'esp32-a' belongs to another user");
        assertThat(clients.clientIdProblem("esp32", "esp32-a-1"))
                .contains("client id 'esp32-a-1' belongs to another user");
        assertThat(clients.clientIdProblem("esp32-a", "esp32-a-1")).isEmpty();
        assertThat(clients.clientIdProblem("esp32-a", "esp32")).hasValueSatisfying(why -> assertThat(why)
                .contains("is not one of user 'esp32-a''s"));
        assertThat(clients.clientIdProblem("plc", "line-pi-7-3")).as("{device} replaced").isEmpty();
        assertThat(clients.clientIdProblem("plc", "plc")).isPresent();
    }

    @Test
    void theAgentsClientIdIsTheAgentUsers_andReservedFromAnonymousClients() {
        assertThat(clients.clientIdProblem("agent", "edge-agent-pi-7")).isEmpty();
        assertThat(clients.clientIdProblem("esp32", "edge-agent-pi-7")).isPresent();
        assertThat(clients.reserved("edge-agent-pi-7")).isTrue();
        assertThat(clients.reserved("esp32-z")).isTrue();
        assertThat(clients.reserved("sensor-9")).isFalse();
    }

    @Test
    void theAgentAnswersItsOwnCommands_andTheCommandBridgeUserMayOnlyCarryCommands() {
        ClientDirectory.Entry agent = clients.user("agent").orElseThrow();
        assertThat(agent.principal().mayPublish("edge/pi-7/commands/agent/response")).isTrue();
        assertThat(agent.principal().mayPublish("edge/pi-7/commands/relay/response")).isFalse();
        assertThat(agent.subscribe()).containsExactly("edge/pi-7/commands/agent");
        assertThat(clients.clientIdProblem("agent", "edge-agent-pi-7-commands")).isEmpty();

        ClientDirectory.Entry commands = clients.user("commands").orElseThrow();
        assertThat(commands.principal().mayPublish("edge/pi-7/commands/relay")).isTrue();
        assertThat(commands.principal().mayPublish("edge/pi-7/commands/relay/response")).isFalse();
        assertThat(commands.principal().mayPublish("edge/pi-7/temperature")).isFalse();
        assertThat(commands.subscribe()).containsExactly("edge/pi-7/commands/+/response");
        assertThat(clients.clientIdProblem("commands", "edge-commands-pi-7")).isEmpty();
        assertThat(clients.clientIdProblem("commands", "commands")).as("its one client id only").isPresent();
        assertThat(clients.reserved("edge-commands-pi-7")).isTrue();
    }
}
