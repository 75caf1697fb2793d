package dev.edgeline.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.broker.EdgeBroker;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.InstantSource;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker without passwords, with the agent's loopback listener and a listener marked {@code insecure} (anonymous
 * LAN devices; bound to 127.0.0.1 here, as tests must): an anonymous client on the insecure listener may not take the
 * agent's client id (CONNACK 0x85), so it cannot kick the agent off; any other id is fine.
 */
@Timeout(120)
class AnonymousListenerIT {
    @Test
    void anAnonymousLanClient_cannotTakeTheAgentsClientId(@TempDir Path dir) throws Exception {
        int local = freePort();
        int lan = freePort();
        DeviceConfig config = ConfigLoader.parse(Path.of("it.yaml"), """
                device: {id: anon-pi}
                broker:
                  listeners:
                    - {name: local, host: 127.0.0.1, port: %d}
                    - {name: lan, host: 127.0.0.1, port: %d, insecure: true}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka: {bootstrap-servers: "127.0.0.1:9", routes: [{mqtt-filter: "#", kafka-topic: all}]}
                sensors: []
                """.formatted(local, lan), dir);
        try (SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), "anon-pi", InstantSource.system());
             EdgeBroker broker = EdgeBroker.start(config, spool, ClockSync.system())) {
            MqttAsyncClient agent = connect(local, "edge-agent-anon-pi");
            assertThatThrownBy(() -> connect(lan, "edge-agent-anon-pi")).isInstanceOfSatisfying(MqttException.class,
                    e -> assertThat(e.getReasonCode()).isEqualTo(0x85));
            MqttAsyncClient device = connect(lan, "esp32-lan");
            Thread.sleep(500);
            assertThat(agent.isConnected()).as("the agent was not kicked off").isTrue();
            assertThat(device.isConnected()).isTrue();
            assertThat(broker.refusedConnections()).containsEntry("client-identifier-not-valid", 1L);
            for (MqttAsyncClient client : new MqttAsyncClient[] {agent, device}) {
                client.disconnect().waitForCompletion(5_000);
                client.close();
            }
        }
    }

    private static MqttAsyncClient connect(int port, String clientId) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setConnectionTimeout(10);
        try {
            client.connect(options).waitForCompletion(15_000);
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        return client;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
