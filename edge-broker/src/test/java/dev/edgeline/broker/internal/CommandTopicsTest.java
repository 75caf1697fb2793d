package dev.edgeline.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandTopicsTest {
    private final CommandTopics topics = new CommandTopics("pi-1");

    @Test
    void theDevicesCommandsAndResponses_areCommandTraffic() {
        assertThat(topics.isCommandTraffic("edge/pi-1/commands/relay")).isTrue();
        assertThat(topics.isCommandTraffic("edge/pi-1/commands/relay/response")).isTrue();
    }

    @Test
    void everythingElse_isNot() {
        assertThat(topics.isCommandTraffic("edge/pi-1/commands")).isFalse();
        assertThat(topics.isCommandTraffic("edge/pi-1/commands/")).isFalse();
        assertThat(topics.isCommandTraffic("edge/pi-1/commands//response")).isFalse();
        assertThat(topics.isCommandTraffic("edge/pi-1/commands/relay/other")).isFalse();
        assertThat(topics.isCommandTraffic("edge/pi-1/commands/relay/response/x")).isFalse();
        assertThat(topics.isCommandTraffic("edge/pi-2/commands/relay")).as("another device's").isFalse();
        assertThat(topics.isCommandTraffic("edge/pi-1/temperature")).isFalse();
    }
}
