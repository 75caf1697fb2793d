package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.appliance.BridgedRecordCollector.Seen;
import dev.edgeline.bridge.BridgeStatus;
import dev.edgeline.broker.security.RawMqtt311Client;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken input against a running broker bridging into a real Kafka, while a well-behaved publisher keeps
 * publishing: oversized packets (2 MiB, 17 MiB), a record the broker accepts but Kafka refuses, identities at the
 * top of the number range, garbage bytes, a malformed packet, a subscriber that never reads, 200 idle sockets. The
 * broker stays up, a topic over 1,024 bytes is never spooled, a client reusing the steady stream's identity with
 * other content is refused (0x83), a client publishing to ever new topics gets 0x97 past its device's stream limit,
 * every client gets an answer within seconds, and everything acknowledged arrives in Kafka exactly
 * once (the one record Kafka refused as a gap marker that says why).
 */
@Timeout(300)
class HostileInputIT {
    private static final String DEVICE = "hostile-pi";
    private static final int STEADY = 600;

    @Test
    void theBrokerStaysUp_everyClientGetsAnAnswer_andEverythingAcknowledgedArrivesOnce(@TempDir Path dir)
            throws Exception {
        int port = TestDevice.freePort();
        try (EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0)) {
            DeviceConfig config = ConfigLoader.parse(Path.of("it.yaml"), """
                    device: {id: %s}
                    broker:
                      listener: {host: 127.0.0.1, port: %d}
                      max-record-bytes: 1500000     # above Kafka's default message.max.bytes (1,048,588)
                    spool: {directory: spool, segment-bytes: 4194304, max-streams-per-device: 300}
                    agent: {state-directory: agent}
                    kafka:
                      bootstrap-servers: %s
                      batch-records: 200
                      retry-backoff-max: 1s
                      routes:
                        - {mqtt-filter: "edge/+/+", kafka-topic: it.hostile}
                        - {mqtt-filter: "lan/#", kafka-topic: it.hostile}
                    sensors: []
                    """.formatted(DEVICE, port, kafka.bootstrapServers()), dir);
            Set<Identity> acknowledged = ConcurrentHashMap.newKeySet();
            ConcurrentLinkedQueue<Seen> gaps = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
            try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(),
                    List.of("it.hostile", "edge.gaps"), s -> {
                        seen.add(s);
                        if (s.topic().equals("edge.gaps")) {
                            gaps.add(s);
                        }
                    });
                 EdgeBrokerService broker = EdgeBrokerService.start(config)) {
                collector.start();
                List<Socket> idle = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    idle.add(new Socket(InetAddress.getLoopbackAddress(), port)); // never sends CONNECT
                }
                MqttAsyncClient steady = paho(port, "steady");
                AtomicReference<Throwable> steadyFailure = new AtomicReference<>();
                Thread steadyPublisher = Thread.ofPlatform().name("steady").start(() -> {
                    try {
                        for (int seq = 0; seq < STEADY; seq++) {
                            if (publish(steady, "steady", 1, seq, new byte[64]) < 0x80) {
                                acknowledged.add(new Identity(DEVICE, "steady", 1, seq));
                            }
                            Thread.sleep(10);
                        }
                    } catch (Exception e) {
                        steadyFailure.set(e);
                    }
                });

                // A subscriber that never reads what it is sent.
                RawMqtt311Client slowReader = RawMqtt311Client.connect(port, "slow-reader", null, null, true);
                assertThat(slowReader.connackCode()).isZero();
                slowReader.subscribe("edge/#", 1, 1);

                // Oversized packets: above the MQTT Maximum Packet Size, the broker closes the connection.
                for (int size : new int[] {2 << 20, 17 << 20}) {
                    RawMqtt311Client big = RawMqtt311Client.connect(port, "big-" + size, null, null, true);
                    assertThat(big.connackCode()).isZero();
                    long started = System.nanoTime();
                    assertThatThrownBy(() -> {
                        big.publish("lan/big", new byte[size], 1, 1, false);
                        big.await(RawMqtt311Client.PUBACK);
                    }).as(size + " bytes").isInstanceOf(IOException.class)
                            .isNotInstanceOf(SocketTimeoutException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
                    big.close();
                }

                // Garbage instead of CONNECT, and a PUBLISH with a wildcard in its topic (malformed).
                try (Socket garbage = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    garbage.setSoTimeout(10_000);
                    byte[] noise = new byte[64];
                    new Random(7).nextBytes(noise);
                    noise[0] = (byte) 0xF0; // reserved packet type
                    garbage.getOutputStream().write(noise);
                    assertThat(readUntilClosed(garbage.getInputStream())).as("closed by the broker").isTrue();
                }
                try (RawMqtt311Client malformed = RawMqtt311Client.connect(port, "malformed", null, null, true)) {
                    assertThat(malformed.connackCode()).isZero();
                    malformed.publish("lan/#/bad", new byte[] {1}, 1, 1, false);
                    assertThatThrownBy(() -> malformed.await(RawMqtt311Client.PUBACK)).isInstanceOf(IOException.class)
                            .isNotInstanceOf(SocketTimeoutException.class);
                }

                // Another client reusing the steady stream's first identity with other content: refused, not taken
                // for a duplicate (which would acknowledge it and drop it).
                Awaits.until(Duration.ofSeconds(30), () -> acknowledged.contains(new Identity(DEVICE, "steady", 1, 0)),
                        "the steady stream's first record acknowledged");
                MqttAsyncClient twin = paho(port, "twin");
                assertThat(publish(twin, "steady", 1, 0, "forged".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                        .isEqualTo(0x83);

                // Ever new topics from one client: the first 300 streams of its device are taken, the rest refused with
                // 0x97 (quota exceeded) and never spooled; the steady publisher goes on meanwhile.
                MqttAsyncClient exploder = paho(port, "exploder");
                int explodedAccepted = 0;
                int explodedRefused = 0;
                for (int i = 0; i < 400; i++) {
                    MqttMessage message = new MqttMessage(new byte[] {1});
                    message.setQos(1);
                    IMqttToken token = exploder.publish("lan/exploder/t-" + i + "-" + "n".repeat(200), message);
                    token.waitForCompletion(15_000);
                    if (token.getReasonCodes()[0] < 0x80) {
                        explodedAccepted++;
                    } else if (token.getReasonCodes()[0] == 0x97) {
                        explodedRefused++;
                    }
                }
                assertThat(explodedAccepted).as("streams accepted up to spool.max-streams-per-device").isEqualTo(300);
                assertThat(explodedRefused).isEqualTo(100);

                // A topic over 1,024 bytes: refused before the spool, so never forwarded, however often it is resent.
                String longTopic = "lan/" + "t".repeat(1_100);
                for (int attempt = 0; attempt < 3; attempt++) {
                    try (RawMqtt311Client tooLong = RawMqtt311Client.connect(port, "too-long", null, null, true)) {
                        assertThat(tooLong.connackCode()).isZero();
                        tooLong.publish(longTopic, new byte[] {1}, 1, 1, attempt > 0);
                        assertThatThrownBy(() -> tooLong.await(RawMqtt311Client.PUBACK))
                                .isInstanceOf(IOException.class).isNotInstanceOf(SocketTimeoutException.class);
                    }
                }

                // A record the broker takes but Kafka refuses (incompressible, above message.max.bytes), then more.
                MqttAsyncClient paho = paho(port, "edge-client");
                byte[] huge = new byte[1_200_000];
                new Random(11).nextBytes(huge);
                assertThat(publish(paho, "big", 1, 0, huge)).isLessThan(0x80);
                for (int seq = 1; seq <= 50; seq++) {
                    assertThat(publish(paho, "big", 1, seq, new byte[32])).isLessThan(0x80);
                    acknowledged.add(new Identity(DEVICE, "big", 1, seq));
                }
                // Identities at the top of the range: the stream goes on with the next boot.
                assertThat(publish(paho, "top", 1, Long.MAX_VALUE, new byte[8])).isLessThan(0x80);
                acknowledged.add(new Identity(DEVICE, "top", 1, Long.MAX_VALUE));
                assertThat(publish(paho, "top", 2, 0, new byte[8])).isLessThan(0x80);
                acknowledged.add(new Identity(DEVICE, "top", 2, 0));
                assertThat(publish(paho, "top", 2, Long.MAX_VALUE, new byte[8])).as("a jump past the bound")
                        .isEqualTo(0x83);

                steadyPublisher.join(Duration.ofSeconds(60));
                assertThat(steadyFailure.get()).isNull();
                assertThat(acknowledged).hasSize(STEADY + 50 + 2);
                Awaits.until(Duration.ofSeconds(120), () -> acknowledged.stream().allMatch(collector::contains)
                        && !gaps.isEmpty(), "every acknowledged record and the gap marker in Kafka");
                Thread.sleep(1_000); // room for late duplicates to show up
                assertThat(collector.duplicates()).isZero();
                assertThat(collector.orderViolations()).isEmpty();
                assertThat(collector.contains(new Identity(DEVICE, "big", 1, 0))).as("refused by Kafka").isFalse();
                assertThat(collector.distinct()).as("no record of the over-long topic")
                        .noneMatch(identity -> identity.stream().length() > 1_024);
                Awaits.until(Duration.ofSeconds(60), () -> collector.distinct().stream()
                        .filter(identity -> identity.device().equals(DEVICE + "/exploder")).count() == 300,
                        "the 300 accepted streams of the exploding client in Kafka");
                assertThat(seen).filteredOn(s -> s.identity().equals(new Identity(DEVICE, "steady", 1, 0)))
                        .singleElement().satisfies(s -> assertThat(s.payload()).doesNotContain("forged"));
                assertThat(seen).filteredOn(s -> s.identity().stream().equals("broker-health"))
                        .anySatisfy(s -> assertThat(s.payload()).contains("\"event\":\"stream-limit\""))
                        .anySatisfy(s -> assertThat(s.payload()).contains("\"event\":\"identity-collision\""));
                assertThat(gaps).singleElement().satisfies(gap -> assertThat(gap.payload())
                        .contains("\"reason\":\"kafka-refused\"").contains("RecordTooLargeException")
                        .contains("\"stream\":\"big\"").contains("\"first_seq\":0"));
                BridgeStatus status = broker.bridge().status();
                assertThat(status.state()).isEqualTo("FORWARDING");
                assertThat(status.refusedByKafka()).isEqualTo(1);
                assertThat(status.lastRefusal()).contains("hostile-pi/big boot 1 seq 0").contains("RecordTooLarge");

                // The idle sockets were closed by the broker (no CONNECT in time), and it still takes new clients.
                for (Socket socket : idle) {
                    socket.setSoTimeout(20_000);
                    assertThat(readUntilClosed(socket.getInputStream())).isTrue();
                    socket.close();
                }
                MqttAsyncClient late = paho(port, "late");
                assertThat(publish(late, "late", 1, 0, new byte[4])).isLessThan(0x80);
                slowReader.close();
                for (MqttAsyncClient client : List.of(steady, paho, late, twin, exploder)) {
                    client.disconnect().waitForCompletion(5_000);
                    client.close();
                }
            }
        }
    }

    private static MqttAsyncClient paho(int port, String clientId) throws Exception {
        MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setConnectionTimeout(10);
        client.connect(options).waitForCompletion(15_000);
        return client;
    }

    private static int publish(MqttAsyncClient client, String stream, long boot, long seq, byte[] payload)
            throws Exception {
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        MqttProperties properties = new MqttProperties();
        properties.setUserProperties(List.of(new UserProperty("device", DEVICE), new UserProperty("stream", stream),
                new UserProperty("boot", Long.toString(boot)), new UserProperty("seq", Long.toString(seq))));
        message.setProperties(properties);
        IMqttToken token = client.publish("edge/" + DEVICE + "/" + stream, message);
        token.waitForCompletion(15_000);
        return token.getReasonCodes()[0];
    }

    /** Reads until the peer closes (true) or the socket's timeout passes (false). */
    private static boolean readUntilClosed(InputStream in) throws IOException {
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) >= 0) {
                // discard
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true; // connection reset: closed as well
        }
    }
}
