package dev.edgeline.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolReader;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.broker.spool.SpooledRecord;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The embedded HiveMQ broker with the spooling interceptor, driven by real Paho MQTT 5 clients. */
@Timeout(120)
class EdgeBrokerIT {
    @TempDir
    Path dir;
    private int port;
    private SegmentedFileSpool spool;
    private EdgeBroker broker;
    private MqttAsyncClient client;

    @BeforeEach
    void start() throws Exception {
        port = freePort();
        DeviceConfig config = ConfigLoader.parse(Path.of("it.yaml"), """
                device: {id: pi-9}
                broker: {listener: {port: %d}}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: 127.0.0.1:9
                  routes:
                    - {mqtt-filter: "edge/+/+", kafka-topic: readings}
                    - {mqtt-filter: "lan/#", kafka-topic: lan}
                sensors: []
                """.formatted(port), dir);
        spool = SegmentedFileSpool.open(config.spool(), config.device().id(), java.time.InstantSource.system());
        broker = EdgeBroker.start(config, spool, ClockSync.system());
        client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "it-client", new MemoryPersistence());
        client.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null && client.isConnected()) {
            client.disconnect().waitForCompletion(5_000);
        }
        if (client != null) {
            client.close();
        }
        if (broker != null) {
            broker.close();
        }
        if (spool != null) {
            spool.close();
        }
    }

    private int publish(String topic, String payload, UserProperty... properties) throws Exception {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        MqttProperties mqttProperties = new MqttProperties();
        mqttProperties.setUserProperties(List.of(properties));
        message.setProperties(mqttProperties);
        IMqttToken token = client.publish(topic, message);
        token.waitForCompletion(10_000);
        return token.getReasonCodes()[0];
    }

    private static UserProperty[] identity(String seq) {
        return new UserProperty[] {new UserProperty("device", "pi-9"), new UserProperty("stream", "t"),
                new UserProperty("boot", "3"), new UserProperty("seq", seq)};
    }

    private List<SpoolRecord> spooled() throws Exception {
        List<SpoolRecord> records = new ArrayList<>();
        try (SpoolReader reader = spool.openReader("it")) {
            for (SpooledRecord r : reader.poll(1_000, Duration.ofMillis(200))) {
                records.add(r.record());
            }
        }
        return records;
    }

    @Test
    void pubackComesAfterTheRecordIsDurable_andRetransmissionsAreDropped() throws Exception {
        // Reason code 0 (success) although nobody subscribes: HiveMQ alone would say 0x10 (no matching subscribers).
        assertThat(publish("edge/pi-9/t", "{\"value\":1}", identity("0"))).isEqualTo(0);
        assertThat(spool.counters().appended()).as("durable before the PUBACK arrived").isEqualTo(1);
        assertThat(publish("edge/pi-9/t", "{\"value\":1}", identity("0"))).as("duplicate still acknowledged").isEqualTo(0);
        assertThat(publish("edge/pi-9/t", "{\"value\":2}", identity("1"))).isEqualTo(0);
        assertThat(spooled()).extracting(SpoolRecord::seq).containsExactly(0L, 1L);
        assertThat(spool.counters().duplicates()).isEqualTo(1);
    }

    @Test
    void thirdPartyPublishWithoutIdentity_getsOneAssigned() throws Exception {
        publish("lan/esp32/temp", "21.5");
        publish("lan/esp32/temp", "21.6");
        List<SpoolRecord> records = spooled();
        assertThat(records).extracting(SpoolRecord::device).as("the gateway's id, then the client's")
                .containsOnly("pi-9/it-client");
        assertThat(records).extracting(SpoolRecord::stream).containsOnly("lan/esp32/temp");
        assertThat(records).extracting(SpoolRecord::boot).containsOnly(broker.boot());
        assertThat(records).extracting(SpoolRecord::seq).containsExactly(0L, 1L);
    }

    @Test
    void incompleteOrMalformedIdentity_isRefusedWithAReasonCode_andNotSpooled() throws Exception {
        int incomplete = publish("edge/pi-9/t", "x", new UserProperty("device", "pi-9"), new UserProperty("seq", "1"));
        int malformed = publish("edge/pi-9/t", "x", new UserProperty("device", "pi-9"), new UserProperty("stream", "t"),
                new UserProperty("boot", "three"), new UserProperty("seq", "1"));
        assertThat(incomplete).isEqualTo(0x99); // payload format invalid
        assertThat(malformed).isEqualTo(0x99);
        assertThat(spooled()).isEmpty();
    }

    @Test
    void topicsWithoutARoute_areRefusedWithAReasonCode_andNotSpooled() throws Exception {
        assertThat(publish("other/topic", "x")).isEqualTo(0x90); // topic name invalid: it would never reach Kafka
        assertThat(spooled()).isEmpty();
    }

    @Test
    void secondBrokerOnATakenPort_failsWithAClearError_andLeavesNothingRunning() throws Exception {
        DeviceConfig clash = ConfigLoader.parse(Path.of("clash.yaml"), """
                device: {id: pi-10}
                broker: {listener: {port: %d}, data-directory: other-broker}
                spool: {directory: other-spool}
                agent: {state-directory: agent}
                kafka: {bootstrap-servers: "127.0.0.1:9", routes: [{mqtt-filter: "#", kafka-topic: all}]}
                sensors: []
                """.formatted(port), dir);
        try (SegmentedFileSpool otherSpool = SegmentedFileSpool.open(clash.spool(), "pi-10",
                java.time.InstantSource.system())) {
            assertThatThrownBy(() -> EdgeBroker.start(clash, otherSpool, ClockSync.system()))
                    .isInstanceOf(IOException.class).hasMessageContaining("failed to start on 127.0.0.1:" + port).hasMessageNotContaining("null");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
