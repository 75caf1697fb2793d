package dev.edgeline.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolReader;
import dev.edgeline.broker.spool.SpooledRecord;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full spool seen from a real MQTT client: with the {@code block} policy the PUBACK waits until a reader frees room,
 * and past the block timeout the client is disconnected with reason code 0x97 and a reason string. No publish is
 * acknowledged without being in the spool.
 */
@Timeout(120)
class FullSpoolIT {
    @TempDir
    Path dir;
    private SegmentedFileSpool spool;
    private EdgeBroker broker;
    private MqttAsyncClient client;
    private final CompletableFuture<MqttDisconnectResponse> disconnected = new CompletableFuture<>();

    private void start(String blockTimeout) throws Exception {
        int port = freePort();
        DeviceConfig config = ConfigLoader.parse(Path.of("full.yaml"), """
                device: {id: pi-full}
                broker: {listener: {port: %d}}
                spool:
                  directory: spool
                  segment-bytes: 65536
                  budget-bytes: 1048576
                  block-timeout: %s
                  lanes: [{name: telemetry, budget-bytes: 196608, when-full: block}]
                agent: {state-directory: agent}
                kafka: {bootstrap-servers: "127.0.0.1:9", routes: [{mqtt-filter: "edge/#", kafka-topic: readings}]}
                sensors: []
                """.formatted(port, blockTimeout), dir);
        spool = SegmentedFileSpool.open(config.spool(), "pi-full", InstantSource.system());
        broker = EdgeBroker.start(config, spool, ClockSync.system());
        client = new MqttAsyncClient("tcp://127.0.0.1:" + port, "full-client", new MemoryPersistence());
        client.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                disconnected.complete(response);
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        client.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            if (client.isConnected()) {
                client.disconnectForcibly(100, 100, false);
            }
            client.close(true);
        }
        if (broker != null) {
            broker.close();
        }
        if (spool != null) {
            spool.close();
        }
    }

    private IMqttToken publish(long seq) throws MqttException {
        MqttMessage message = new MqttMessage(new byte[500]);
        message.setQos(1);
        MqttProperties properties = new MqttProperties();
        properties.setUserProperties(List.of(new UserProperty("device", "pi-full"), new UserProperty("stream", "s"),
                new UserProperty("boot", "1"), new UserProperty("seq", Long.toString(seq))));
        message.setProperties(properties);
        return client.publish("edge/pi-full/s", message);
    }

    @Test
    void blockPolicy_pubackWaitsForRoom_andArrivesWhenAReaderFreesIt() throws Exception {
        start("60s");
        long seq = 0;
        IMqttToken held = null;
        while (held == null) {
            IMqttToken token = publish(seq++);
            try {
                token.waitForCompletion(2_000);
            } catch (MqttException timedOut) {
                held = token; // the lane is full: no PUBACK yet
            }
        }
        assertThat(spool.counters().lane("telemetry").blocked()).isPositive();
        long heldSeq = seq - 1;
        Set<Long> spooled = new HashSet<>();
        try (SpoolReader reader = spool.openReader("bridge")) {
            List<SpooledRecord> batch;
            while (!(batch = reader.poll(1_000, Duration.ofMillis(300))).isEmpty()) {
                batch.forEach(r -> spooled.add(r.record().seq()));
                reader.commit(batch);
            }
            held.waitForCompletion(10_000);
            assertThat(held.isComplete()).as("PUBACK released once there is room").isTrue();
            assertThat(held.getReasonCodes()[0]).isLessThan(0x80);
            batch = reader.poll(1_000, Duration.ofSeconds(2));
            batch.forEach(r -> spooled.add(r.record().seq()));
        }
        assertThat(spooled).as("the held publish is in the spool").contains(heldSeq);
    }

    @Test
    void blockPolicy_pastTheTimeout_clientIsDisconnectedWithQuotaExceeded_andNothingUnspooledWasAcknowledged()
            throws Exception {
        start("1s");
        List<IMqttToken> tokens = new ArrayList<>();
        for (long seq = 0; seq < 600 && !disconnected.isDone(); seq++) {
            try {
                tokens.add(publish(seq));
            } catch (MqttException windowFull) {
                if (windowFull.getReasonCode() != 32202 /* Paho: too many publishes in progress */) {
                    throw windowFull;
                }
                seq--; // the broker's receive maximum is reached: wait for a PUBACK or the disconnect, then retry
                Thread.sleep(20);
                continue;
            }
            Thread.sleep(2);
        }
        MqttDisconnectResponse response = disconnected.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(response.getReturnCode()).isEqualTo(0x97);
        assertThat(response.getReasonString()).contains("spool lane 'telemetry' is full");
        Set<Long> acknowledged = new HashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            IMqttToken token = tokens.get(i);
            if (token.isComplete() && token.getException() == null && token.getReasonCodes() != null
                    && token.getReasonCodes()[0] < 0x80) {
                acknowledged.add((long) i);
            }
        }
        Set<Long> spooled = new HashSet<>();
        try (SpoolReader reader = spool.openReader("check")) {
            List<SpooledRecord> batch;
            while (!(batch = reader.poll(1_000, Duration.ofMillis(300))).isEmpty()) {
                batch.forEach(r -> spooled.add(r.record().seq()));
            }
        }
        assertThat(acknowledged).isNotEmpty();
        assertThat(spooled).containsAll(acknowledged);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
