package dev.edgeline.broker.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.security.RawMqtt311Client;
import dev.edgeline.broker.spool.FileSpoolReader;
import dev.edgeline.broker.spool.SpooledRecord;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An MQTT 3.1.1 device (a raw socket client: its identity is assigned by the broker) sends QoS 1 publishes, the
 * broker is SIGKILLed and restarted, and the device resends them with DUP, once on its old session and once after a
 * clean reconnect: none is stored twice. A new publish that reuses a packet id with the same payload, without DUP,
 * is a new reading and is stored.
 */
@Timeout(180)
class RetransmissionAcrossRestartIT {
    private static final int PUBLISHES = 20;
    private static final String TOPIC = "edge/esp32-raw/reading";

    @Test
    void dupResendsAfterABrokerRestart_areAcknowledgedButNotStoredAgain(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path config = dir.resolve("device.yaml");
        Files.writeString(config, """
                device: {id: dup-pi}
                broker: {listener: {port: %d}, data-directory: broker}
                spool: {directory: spool, segment-bytes: 262144}
                agent: {state-directory: agent}
                kafka: {bootstrap-servers: "127.0.0.1:9", routes: [{mqtt-filter: "edge/#", kafka-topic: readings}]}
                sensors: []
                """.formatted(port));
        try (ChildJvm broker = ChildJvm.start(BrokerProcessMain.class, config.toString(), dir.toString())) {
            broker.awaitLine("READY", Duration.ofSeconds(60));
            try (RawMqtt311Client device = RawMqtt311Client.connect(port, "esp32-raw", null, null, false)) {
                assertThat(device.connackCode()).isZero();
                publishAll(device, false);
            }
            broker.kill();
        }
        for (boolean cleanSession : new boolean[] {false, true}) {
            try (ChildJvm broker = ChildJvm.start(BrokerProcessMain.class, config.toString(), dir.toString())) {
                broker.awaitLine("READY", Duration.ofSeconds(60));
                try (RawMqtt311Client device = RawMqtt311Client.connect(port, "esp32-raw", null, null, cleanSession)) {
                    assertThat(device.connackCode()).isZero();
                    publishAll(device, true); // as if no PUBACK had arrived before the restart
                }
                broker.kill();
            }
        }
        try (ChildJvm broker = ChildJvm.start(BrokerProcessMain.class, config.toString(), dir.toString())) {
            broker.awaitLine("READY", Duration.ofSeconds(60));
            try (RawMqtt311Client device = RawMqtt311Client.connect(port, "esp32-raw", null, null, false)) {
                assertThat(device.connackCode()).isZero();
                device.publish(TOPIC, payload(1), 1, 1, false); // a new reading that happens to repeat the first
                assertThat(device.await(RawMqtt311Client.PUBACK).packetId()).isEqualTo(1);
            }
            broker.kill();
        }
        List<String> stored = storedPayloads(dir.resolve("spool"));
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= PUBLISHES; i++) {
            expected.add(new String(payload(i), StandardCharsets.UTF_8));
        }
        expected.add(new String(payload(1), StandardCharsets.UTF_8));
        assertThat(stored).as("each publish once, the repeated reading as a new one").isEqualTo(expected);
    }

    private static void publishAll(RawMqtt311Client device, boolean dup) throws IOException {
        for (int id = 1; id <= PUBLISHES; id++) {
            device.publish(TOPIC, payload(id), 1, id, dup);
        }
        for (int i = 1; i <= PUBLISHES; i++) {
            assertThat(device.await(RawMqtt311Client.PUBACK).packetId()).isEqualTo(i);
        }
    }

    private static byte[] payload(int id) {
        return ("{\"n\":" + id + "}").getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> storedPayloads(Path spool) throws Exception {
        List<String> payloads = new ArrayList<>();
        try (FileSpoolReader reader = FileSpoolReader.openFromOtherProcess(spool, "verify")) {
            List<SpooledRecord> batch;
            while (!(batch = reader.poll(10_000, Duration.ofMillis(100))).isEmpty()) {
                for (SpooledRecord record : batch) {
                    if (record.record().stream().equals(TOPIC)) {
                        payloads.add(new String(record.record().payload(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return payloads;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
