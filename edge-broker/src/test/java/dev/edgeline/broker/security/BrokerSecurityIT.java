package dev.edgeline.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.broker.EdgeBroker;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker's LAN security with real clients: Paho MQTT 5 (plain, TLS and mTLS), a raw MQTT 3.1.1 socket client
 * for DUP resends and QoS 2, and a password file written by Debian's {@code mosquitto_passwd}, certificates by
 * {@code openssl}. Every listener is on 127.0.0.1.
 */
@Timeout(180)
class BrokerSecurityIT {
    private static final String DEVICE = "pi-9";
    @TempDir
    static Path dir;
    private static int plainPort;
    private static int tlsPort;
    private static int mtlsPort;
    private static TestCertificates certs;
    private static SegmentedFileSpool spool;
    private static EdgeBroker broker;
    private final List<MqttAsyncClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        certs = new TestCertificates(dir.resolve("certs"))
                .ca("server-ca").signed("server", "localhost", "server-ca", true)
                .ca("device-ca").signed("garden", "esp32-garden", "device-ca", false)
                .ca("rogue-ca").signed("rogue", "esp32-garden", "rogue-ca", false);
        Path passwords = dir.resolve("mqtt.passwd");
        mosquittoPasswd("-c", "-b", "-I", "20000", passwords.toString(), "agent", "agent-secret");
        mosquittoPasswd("-b", "-I", "20000", passwords.toString(), "esp32-kitchen", "kitchen-secret");
        mosquittoPasswd("-b", "-I", "20000", passwords.toString(), "nobody", "nobody-secret");
        mosquittoPasswd("-b", "-I", "20000", passwords.toString(), "wide", "wide-secret");
        Files.writeString(dir.resolve("agent.password"), "agent-secret\n");
        plainPort = freePort();
        tlsPort = freePort();
        mtlsPort = freePort();
        DeviceConfig config = ConfigLoader.parse(Path.of("it.yaml"), """
                device: {id: %s}
                broker:
                  listeners:
                    - {name: local, host: 127.0.0.1, port: %d}
                    - name: tls
                      host: 127.0.0.1
                      port: %d
                      tls: {cert-file: certs/server.pem, key-file: certs/server.key}
                    - name: mtls
                      host: 127.0.0.1
                      port: %d
                      tls: {cert-file: certs/server.pem, key-file: certs/server.key, client-ca-file: certs/device-ca.pem}
                  auth:
                    password-file: mqtt.passwd
                    clients:
                      - {user: esp32-kitchen, publish: ["lan/kitchen/#"], subscribe: ["lan/kitchen/cmd"]}
                      - {user: esp32-garden, publish: ["lan/{user}/#"]}
                      - {user: wide, publish: ["#"]}
                  identity-limits: {max-seq-jump: 1000000}
                  quotas: {publishes-per-second: 50, burst-seconds: 1}
                spool: {directory: spool}
                agent: {state-directory: agent, username: agent, password-file: agent.password}
                kafka:
                  bootstrap-servers: 127.0.0.1:9
                  routes:
                    - {mqtt-filter: "edge/+/+", kafka-topic: readings}
                    - {mqtt-filter: "lan/#", kafka-topic: lan}
                sensors: []
                """.formatted(DEVICE, plainPort, tlsPort, mtlsPort), dir);
        spool = SegmentedFileSpool.open(config.spool(), DEVICE, InstantSource.system());
        broker = EdgeBroker.start(config, spool, ClockSync.system());
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        if (spool != null) {
            spool.close();
        }
    }

    @AfterEach
    void closeClients() throws Exception {
        for (MqttAsyncClient client : clients) {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
            client.close();
        }
    }

    @Test
    void anonymousClient_isRefused() {
        assertThatThrownBy(() -> connect(plainPort, "anon", null, null, null))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
    }

    @Test
    void wrongPassword_isRefused_andTheRightOneAccepted() throws Exception {
        assertThatThrownBy(() -> connect(plainPort, "k1", "esp32-kitchen", "guess", null))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        assertThatThrownBy(() -> connect(plainPort, "k1", "no-such-user", "kitchen-secret", null))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x86));
        assertThat(connect(plainPort, "k1", "esp32-kitchen", "kitchen-secret", null).isConnected()).isTrue();
    }

    @Test
    void userWithoutAnAclEntry_isRefused() {
        assertThatThrownBy(() -> connect(plainPort, "n1", "nobody", "nobody-secret", null))
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
    }

    @Test
    void aclViolations_areRefused_andNothingIsSpooled() throws Exception {
        MqttAsyncClient kitchen = connect(plainPort, "k2", "esp32-kitchen", "kitchen-secret", null);
        long before = spool.counters().appended();
        assertThat(publish(kitchen, "lan/garden/temp", "1")).as("another device's topic").isEqualTo(0x87);
        assertThat(publish(kitchen, "edge/pi-9/temperature", "1")).as("the agent's topic").isEqualTo(0x87);
        IMqttToken subscribeAll = kitchen.subscribe(new MqttSubscription("#", 1));
        subscribeAll.waitForCompletion(10_000);
        assertThat(subscribeAll.getReasonCodes()[0]).as("subscribe to #").isEqualTo(0x87);
        IMqttToken allowed = kitchen.subscribe(new MqttSubscription("lan/kitchen/cmd", 1));
        allowed.waitForCompletion(10_000);
        assertThat(allowed.getReasonCodes()[0]).isLessThan(0x80);
        assertThat(spool.counters().appended()).isEqualTo(before);
        assertThat(publish(kitchen, "lan/kitchen/temp", "21.5")).isLessThan(0x80);
        assertThat(spooledOn("lan/kitchen/temp")).extracting(SpoolRecord::device).containsOnly("pi-9/esp32-kitchen");
    }

    @Test
    void spoofAttempts_cannotTouchAnotherStream() throws Exception {
        MqttAsyncClient agent = connect(plainPort, "agent-1", "agent", "agent-secret", null);
        assertThat(publish(agent, "edge/pi-9/temperature", "{\"value\":1}", identity("pi-9", "temperature", 5, 0)))
                .isLessThan(0x80);
        // The trusted agent may not speak for another device.
        assertThat(publish(agent, "edge/pi-9/temperature", "{}", identity("other-pi", "temperature", 5, 1)))
                .isEqualTo(0x87);
        // An untrusted client's identity properties are ignored: it cannot raise the agent stream's mark.
        MqttAsyncClient kitchen = connect(plainPort, "k3", "esp32-kitchen", "kitchen-secret", null);
        assertThat(publish(kitchen, "lan/kitchen/spoof", "x", identity("pi-9", "temperature", 999, 999)))
                .isLessThan(0x80);
        List<SpoolRecord> spoof = spooledOn("lan/kitchen/spoof");
        assertThat(spoof).singleElement().satisfies(r -> {
            assertThat(r.device()).isEqualTo("pi-9/esp32-kitchen");
            assertThat(r.stream()).isEqualTo("lan/kitchen/spoof");
            assertThat(r.boot()).isEqualTo(broker.boot());
            assertThat(r.seq()).isZero();
        });
        // The agent's next genuine reading is stored, not taken for a duplicate.
        assertThat(publish(agent, "edge/pi-9/temperature", "{\"value\":2}", identity("pi-9", "temperature", 5, 1)))
                .isLessThan(0x80);
        assertThat(spooledOn("edge/pi-9/temperature")).extracting(SpoolRecord::seq).containsExactly(0L, 1L);
        assertThat(spool.markOf("pi-9", "temperature")).hasValue(new dev.edgeline.broker.spool.Spool.StreamMark(5, 1));
    }

    @Test
    void aJumpBeyondTheBound_isRefusedWithAReason_reportedOnTheHealthStream_andLaterDataFlows() throws Exception {
        MqttAsyncClient agent = connect(plainPort, "agent-2", "agent", "agent-secret", null);
        for (int seq = 0; seq < 3; seq++) {
            assertThat(publish(agent, "edge/pi-9/humidity", "{}", identity("pi-9", "humidity", 7, seq))).isLessThan(0x80);
        }
        IMqttToken jump = publishToken(agent, "edge/pi-9/humidity", "{}", identity("pi-9", "humidity", 7,
                Long.MAX_VALUE - 1));
        assertThat(jump.getReasonCodes()[0]).isEqualTo(0x83);
        assertThat(jump.getResponseProperties().getReasonString()).contains("seq jumps from 2 to")
                .contains("max-seq-jump 1000000");
        IMqttToken bootJump = publishToken(agent, "edge/pi-9/humidity", "{}", identity("pi-9", "humidity", 1_000_000, 0));
        assertThat(bootJump.getReasonCodes()[0]).isEqualTo(0x83);
        assertThat(publish(agent, "edge/pi-9/humidity", "{}", identity("pi-9", "humidity", 7, 3))).isLessThan(0x80);
        assertThat(spooledOn("edge/pi-9/humidity")).extracting(SpoolRecord::seq).containsExactly(0L, 1L, 2L, 3L);
        List<SpoolRecord> health = spooledOn("edge/pi-9/broker-health").stream()
                .filter(r -> new String(r.payload(), StandardCharsets.UTF_8).contains("\"stream\":\"humidity\""))
                .toList();
        assertThat(health).isNotEmpty();
        assertThat(new String(health.getFirst().payload(), StandardCharsets.UTF_8))
                .contains("\"event\":\"identity-jump-refused\"").contains("\"mark\":\"7/2\"");
        assertThat(health.getFirst().device()).isEqualTo("pi-9");
    }

    @Test
    void anIdentityReusedWithOtherContent_isRefused_whileAReplayIsAcknowledgedAsTheDuplicateItIs() throws Exception {
        MqttAsyncClient agent = connect(plainPort, "col", "agent", "agent-secret", null);
        MqttAsyncClient twin = connect(plainPort, "col-twin", "agent", "agent-secret", null);
        assertThat(publish(agent, "edge/pi-9/pressure", "{\"value\":1013}", identity("pi-9", "pressure", 3, 0)))
                .isLessThan(0x80);
        assertThat(publish(agent, "edge/pi-9/pressure", "{\"value\":1013}", identity("pi-9", "pressure", 3, 0)))
                .as("a replay of the same content").isLessThan(0x80);
        IMqttToken collision = publishToken(twin, "edge/pi-9/pressure", "{\"value\":999}",
                identity("pi-9", "pressure", 3, 0));
        assertThat(collision.getReasonCodes()[0]).as("the same identity, other content").isEqualTo(0x83);
        assertThat(collision.getResponseProperties().getReasonString()).contains("other content");
        assertThat(spooledOn("edge/pi-9/pressure")).singleElement().satisfies(r -> assertThat(
                new String(r.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"value\":1013}"));
        assertThat(spooledOn("edge/pi-9/broker-health")).anySatisfy(r -> assertThat(
                new String(r.payload(), StandardCharsets.UTF_8)).contains("\"event\":\"identity-collision\"")
                .contains("\"stream\":\"pressure\""));
    }

    @Test
    void jumpsThatPassOneByOne_areRefusedOnceTheyAddUp_andANewStreamCannotStartFarAboveItsDevice() throws Exception {
        MqttAsyncClient agent = connect(plainPort, "cum", "agent", "agent-secret", null);
        assertThat(publish(agent, "edge/pi-9/light", "{}", identity("pi-9", "light", 10, 0))).isLessThan(0x80);
        assertThat(publish(agent, "edge/pi-9/light", "{}", identity("pi-9", "light", 9_010, 0)))
                .as("one jump of 9,000 boots").isLessThan(0x80);
        IMqttToken second = publishToken(agent, "edge/pi-9/light", "{}", identity("pi-9", "light", 18_010, 0));
        assertThat(second.getReasonCodes()[0]).as("a second one within the hour").isEqualTo(0x83);
        assertThat(second.getResponseProperties().getReasonString()).contains("add up to")
                .contains("within 60 minutes");
        IMqttToken newStream = publishToken(agent, "edge/pi-9/uv", "{}", identity("pi-9", "uv", 1L << 62, 0));
        assertThat(newStream.getReasonCodes()[0]).as("a new stream at boot 2^62").isEqualTo(0x83);
        assertThat(newStream.getResponseProperties().getReasonString()).contains("new stream starts at boot");
        assertThat(publish(agent, "edge/pi-9/light", "{}", identity("pi-9", "light", 9_010, 1))).isLessThan(0x80);
        assertThat(spooledOn("edge/pi-9/uv")).isEmpty();
    }

    @Test
    void aThirdPartyClientBeyondItsQuota_getsQuotaExceeded_nothingOfItIsSpooled_andItRecovers() throws Exception {
        MqttAsyncClient wide = connect(plainPort, "quota", "wide", "wide-secret", null);
        long before = spool.counters().appended();
        List<IMqttToken> tokens = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            MqttMessage message = new MqttMessage(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            message.setQos(1);
            tokens.add(wide.publish("lan/quota/n", message));
        }
        int accepted = 0;
        int overQuota = 0;
        for (IMqttToken token : tokens) {
            token.waitForCompletion(15_000);
            int code = token.getReasonCodes()[0];
            if (code < 0x80) {
                accepted++;
            } else if (code == 0x97) {
                overQuota++;
            }
        }
        assertThat(accepted + overQuota).isEqualTo(200);
        assertThat(overQuota).as("refused over 50/s with a 1 s burst").isGreaterThan(100);
        assertThat(spooledOn("lan/quota/n")).hasSize(accepted);
        assertThat(spool.counters().appended() - before).isEqualTo(accepted);
        Thread.sleep(1_100);
        assertThat(publish(wide, "lan/quota/n", "{\"n\":\"after\"}")).as("refilled").isLessThan(0x80);
    }

    @Test
    void aClientIdOfAnotherUser_isRefused_andItsOwnerStaysConnected() throws Exception {
        MqttAsyncClient agent = connectAs(plainPort, "edge-agent-pi-9", "agent", "agent-secret", null, null);
        MqttAsyncClient kitchen = connectAs(plainPort, "esp32-kitchen", "esp32-kitchen", "kitchen-secret", null, null);
        for (String stolen : List.of("edge-agent-pi-9", "esp32-kitchen", "esp32-kitchen-7", "anything")) {
            assertThatThrownBy(() -> connectAs(plainPort, stolen, "wide", "wide-secret", null, null)).as(stolen)
                    .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x85));
        }
        assertThatThrownBy(() -> connectAs(mtlsPort, "esp32-kitchen-9", null, null,
                certs.socketFactory("server-ca", "garden"), null)).as("a certificate is bound to its common name's ids")
                .isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode()).isEqualTo(0x85));
        Thread.sleep(500);
        assertThat(broker.refusedConnections().getOrDefault("client-identifier-not-valid", 0L))
                .as("counted for /metrics").isGreaterThanOrEqualTo(5);
        assertThat(agent.isConnected()).as("the agent was not kicked off").isTrue();
        assertThat(kitchen.isConnected()).isTrue();
        assertThat(connectAs(plainPort, "wide-2", "wide", "wide-secret", null, null).isConnected()).isTrue();
    }

    @Test
    void aWillOutsideTheAcl_orWithAForgedIdentity_isRefusedAtConnect() throws Exception {
        MqttMessage otherDevicesTopic = new MqttMessage("lan/garden/status".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> connectAs(plainPort, "esp32-kitchen-w1", "esp32-kitchen", "kitchen-secret", null,
                otherDevicesTopic)).isInstanceOfSatisfying(MqttException.class,
                e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        MqttMessage ownTopic = new MqttMessage("lan/kitchen/status".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> connectAs(plainPort, "esp32-kitchen-w2", "esp32-kitchen", "kitchen-secret", null,
                ownTopic, identity("pi-9", "temperature", 1, 5))).isInstanceOfSatisfying(MqttException.class,
                e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
        assertThat(connectAs(plainPort, "esp32-kitchen-w3", "esp32-kitchen", "kitchen-secret", null, ownTopic)
                .isConnected()).as("a will on its own topic").isTrue();
    }

    @Test
    void tls_withTheWrongCa_failsTheHandshake_withTheRightOne_connects() throws Exception {
        assertThatThrownBy(() -> connect(tlsPort, "t1", "esp32-kitchen", "kitchen-secret",
                certs.socketFactory("rogue-ca", null))).isInstanceOf(MqttException.class);
        MqttAsyncClient kitchen = connect(tlsPort, "t1", "esp32-kitchen", "kitchen-secret",
                certs.socketFactory("server-ca", null));
        assertThat(publish(kitchen, "lan/kitchen/tls", "1")).isLessThan(0x80);
        assertThatThrownBy(() -> connect(tlsPort, "t2", null, null, certs.socketFactory("server-ca", null)))
                .as("TLS alone is not authentication").isInstanceOf(MqttException.class);
    }

    @Test
    void tls_offersTls13AndTls12AeadSuitesOnly_asOpensslSeesIt() throws Exception {
        assertThat(opensslHandshake("-tls1_3")).contains("Protocol version: TLSv1.3").doesNotContain("alert");
        assertThat(opensslHandshake("-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"))
                .contains("Protocol version: TLSv1.2").contains("Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256");
        for (String weak : List.of("ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256")) {
            assertThat(opensslHandshake("-tls1_2", "-cipher", weak)).as(weak + " (CBC) is not offered")
                    .contains("handshake failure").doesNotContain("Ciphersuite:");
        }
        assertThat(opensslHandshake("-tls1_1")).as("TLS 1.1 is not offered").doesNotContain("Ciphersuite:");
    }

    /** What {@code openssl s_client} prints when it connects to the TLS listener with {@code options}. */
    private static String opensslHandshake(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + tlsPort,
                "-CAfile", certs.file("server-ca.pem").toString(), "-brief"));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return output;
    }

    @Test
    void mutualTls_knowsTheClientByItsCertificate_andRefusesAnotherCasCertificate() throws Exception {
        MqttAsyncClient garden = connect(mtlsPort, "esp32-garden-g1", null, null, certs.socketFactory("server-ca", "garden"));
        assertThat(publish(garden, "lan/esp32-garden/soil", "0.4")).isLessThan(0x80);
        assertThat(publish(garden, "lan/kitchen/temp", "1")).isEqualTo(0x87);
        assertThat(spooledOn("lan/esp32-garden/soil")).extracting(SpoolRecord::device)
                .containsOnly("pi-9/esp32-garden");
        assertThatThrownBy(() -> connect(mtlsPort, "esp32-garden-g2", null, null, certs.socketFactory("server-ca", "rogue")))
                .as("same common name, signed by another CA").isInstanceOf(MqttException.class);
        assertThatThrownBy(() -> connect(mtlsPort, "esp32-garden-g3", null, null, certs.socketFactory("server-ca", null)))
                .as("no client certificate").isInstanceOf(MqttException.class);
        assertThatThrownBy(() -> connect(mtlsPort, "g4", "esp32-kitchen", "x", certs.socketFactory("server-ca", "garden")))
                .as("a user name that is not the certificate's").isInstanceOfSatisfying(MqttException.class,
                        e -> assertThat(e.getReasonCode()).isEqualTo(0x87));
    }

    @Test
    void qos1Retransmissions_withDup_areNotSpooledTwice_evenAcrossAReconnect() throws Exception {
        byte[] payload = "dup-test".getBytes(StandardCharsets.UTF_8);
        try (RawMqtt311Client client = RawMqtt311Client.connect(plainPort, "esp32-kitchen-raw-dup", "esp32-kitchen",
                "kitchen-secret", false)) {
            assertThat(client.connackCode()).isZero();
            client.publish("lan/kitchen/dup", payload, 1, 7, false);
            assertThat(client.await(RawMqtt311Client.PUBACK).packetId()).isEqualTo(7);
            client.publish("lan/kitchen/dup", payload, 1, 7, true); // the PUBACK "got lost": resend with DUP
            assertThat(client.await(RawMqtt311Client.PUBACK).packetId()).isEqualTo(7);
            client.publish("lan/kitchen/dup", payload, 1, 8, false);
        } // dropped before PUBACK 8 could be read
        try (RawMqtt311Client client = RawMqtt311Client.connect(plainPort, "esp32-kitchen-raw-dup", "esp32-kitchen",
                "kitchen-secret", false)) {
            assertThat(client.connackCode()).isZero();
            client.publish("lan/kitchen/dup", payload, 1, 8, true);
            assertThat(client.await(RawMqtt311Client.PUBACK).packetId()).isEqualTo(8);
            client.publish("lan/kitchen/dup", payload, 1, 7, false); // packet id 7 reused: a new publish
            assertThat(client.await(RawMqtt311Client.PUBACK).packetId()).isEqualTo(7);
        }
        assertThat(spooledOn("lan/kitchen/dup")).extracting(SpoolRecord::seq).containsExactly(0L, 1L, 2L);
    }

    @Test
    void qos2_isDurableBeforePubrec() throws Exception {
        try (RawMqtt311Client client = RawMqtt311Client.connect(plainPort, "esp32-kitchen-raw-qos2", "esp32-kitchen",
                "kitchen-secret", true)) {
            assertThat(client.connackCode()).isZero();
            for (int id = 1; id <= 20; id++) {
                long before = spool.counters().appended();
                client.publish("lan/kitchen/qos2", ("r" + id).getBytes(StandardCharsets.UTF_8), 2, id, false);
                assertThat(client.await(RawMqtt311Client.PUBREC).packetId()).isEqualTo(id);
                assertThat(spool.counters().appended()).as("fsynced before PUBREC").isGreaterThan(before);
                client.pubrel(id);
                assertThat(client.await(RawMqtt311Client.PUBCOMP).packetId()).isEqualTo(id);
            }
        }
        assertThat(spooledOn("lan/kitchen/qos2")).hasSize(20);
        // Paho MQTT 5 at QoS 2 as well.
        MqttAsyncClient kitchen = connect(plainPort, "q2", "esp32-kitchen", "kitchen-secret", null);
        MqttMessage message = new MqttMessage("paho".getBytes(StandardCharsets.UTF_8));
        message.setQos(2);
        IMqttToken token = kitchen.publish("lan/kitchen/qos2", message);
        token.waitForCompletion(10_000);
        assertThat(token.getReasonCodes()[0]).isLessThan(0x80);
        assertThat(spooledOn("lan/kitchen/qos2")).hasSize(21);
    }

    @Test
    void mqtt311Client_onAForbiddenOrUnroutedTopic_isDisconnected_neverAcknowledged_andNothingSpooled()
            throws Exception {
        long before = spool.counters().appended();
        // esp32-kitchen may not publish to lan/garden/x (ACL); wide may publish anywhere, but other/unrouted has no route.
        for (List<String> attempt : List.of(List.of("esp32-kitchen", "kitchen-secret", "lan/garden/x"),
                List.of("wide", "wide-secret", "other/unrouted"))) {
            String topic = attempt.get(2);
            try (RawMqtt311Client client = RawMqtt311Client.connect(plainPort, attempt.get(0) + "-raw-acl", attempt.get(0),
                    attempt.get(1), true)) {
                assertThat(client.connackCode()).isZero();
                client.publish(topic, new byte[] {1}, 1, 1, false);
                // MQTT 3.1.1 has no negative PUBACK: the broker closes the connection instead of acknowledging.
                assertThatThrownBy(() -> client.await(RawMqtt311Client.PUBACK)).as(topic).isInstanceOf(IOException.class);
            }
        }
        assertThat(spool.counters().appended()).isEqualTo(before);
        assertThat(spooledOn("lan/garden/x")).isEmpty();
        // The same unrouted publish from an MQTT 5 client: refused with its reason code instead.
        MqttAsyncClient wide = connect(plainPort, "wide-5", "wide", "wide-secret", null);
        IMqttToken unrouted = publishToken(wide, "other/unrouted", "x");
        assertThat(unrouted.getReasonCodes()[0]).isEqualTo(0x90);
        assertThat(unrouted.getResponseProperties().getReasonString()).contains("no kafka.routes entry matches");
    }

    private static UserProperty[] identity(String device, String stream, long boot, long seq) {
        return new UserProperty[] {new UserProperty("device", device), new UserProperty("stream", stream),
                new UserProperty("boot", Long.toString(boot)), new UserProperty("seq", Long.toString(seq))};
    }

    /** Connects as {@code user} with client id {@code <user>-<clientId>} (the default client id rule). */
    private MqttAsyncClient connect(int port, String clientId, String user, String password, SocketFactory tls)
            throws MqttException {
        return connectAs(port, user == null ? clientId : user + "-" + clientId, user, password, tls, null);
    }

    private MqttAsyncClient connectAs(int port, String clientId, String user, String password, SocketFactory tls,
                                      MqttMessage will, UserProperty... willProperties) throws MqttException {
        String scheme = tls == null ? "tcp" : "ssl";
        MqttAsyncClient client = new MqttAsyncClient(scheme + "://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setConnectionTimeout(10);
        if (user != null) {
            options.setUserName(user);
        }
        if (password != null) {
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        if (tls != null) {
            options.setSocketFactory(tls);
        }
        if (will != null) {
            options.setWill(new String(will.getPayload(), StandardCharsets.UTF_8).split("\\|")[0],
                    new MqttMessage(new byte[] {1}));
            MqttProperties properties = new MqttProperties();
            properties.setUserProperties(List.of(willProperties));
            options.setWillMessageProperties(properties);
        }
        try {
            client.connect(options).waitForCompletion(15_000);
        } catch (MqttException e) {
            client.close(true);
            throw e;
        }
        clients.add(client);
        return client;
    }

    private static int publish(MqttAsyncClient client, String topic, String payload, UserProperty... properties)
            throws MqttException {
        return publishToken(client, topic, payload, properties).getReasonCodes()[0];
    }

    private static IMqttToken publishToken(MqttAsyncClient client, String topic, String payload,
                                           UserProperty... properties) throws MqttException {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        MqttProperties mqttProperties = new MqttProperties();
        mqttProperties.setUserProperties(List.of(properties));
        message.setProperties(mqttProperties);
        IMqttToken token = client.publish(topic, message);
        token.waitForCompletion(10_000);
        return token;
    }

    /** Every spooled record published on {@code topic}, in spool order. */
    private static List<SpoolRecord> spooledOn(String topic) throws IOException, InterruptedException {
        List<SpoolRecord> records = new ArrayList<>();
        try (SpoolReader reader = spool.openReader("it-" + System.nanoTime())) {
            List<SpooledRecord> batch;
            while (!(batch = reader.poll(10_000, Duration.ofMillis(300))).isEmpty()) {
                batch.stream().map(SpooledRecord::record).filter(r -> r.mqttTopic().equals(topic)).forEach(records::add);
            }
        }
        return records;
    }

    private static void mosquittoPasswd(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mosquitto_passwd"));
        command.addAll(List.of(args));
        ExternalCommand.run(command);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
