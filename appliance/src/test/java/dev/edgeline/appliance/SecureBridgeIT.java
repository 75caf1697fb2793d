package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.bridge.CloudBridge;
import dev.edgeline.bridge.internal.CheckpointStore;
import dev.edgeline.bridge.internal.SecurityProperties;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge against a broker that requires SASL_SSL with SCRAM-SHA-512, and against one that requires a client
 * certificate (mutual TLS), with certificates made by the test (JDK keytool; the client key with openssl, as PEM):
 * a wrong password, a CA that did not sign the broker, no client certificate or one from an unknown CA fail with a
 * clear error and lose nothing; the right ones deliver everything exactly once.
 */
@Timeout(300)
class SecureBridgeIT {
    private static final String PASSWORD = "keystore-pass";

    @Test
    void saslSslScram_wrongPasswordOrCaFailClearly_andLoseNothing_rightOnesDeliverEverything(@TempDir Path dir)
            throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        makeCa(certs, "ca");
        makeCa(certs, "other-ca");
        makeBrokerKeystore(certs);
        Files.writeString(certs.resolve("right.password"), "s3cret-edge\n");
        Files.writeString(certs.resolve("wrong.password"), "guessed\n");
        int saslPort = TestDevice.freePort();
        try (EmbeddedKafka kafka = EmbeddedKafka.startWithSaslSsl(dir.resolve("kafka"), saslPort,
                certs.resolve("broker.p12"), PASSWORD, "pi-secure", "s3cret-edge")) {
            DeviceConfig right = config(dir, saslPort, "ca.pem", "right.password");
            try (SegmentedFileSpool spool = SegmentedFileSpool.open(right.spool(), "pi-secure", InstantSource.system())) {
                Set<Identity> written = fill(spool, "pi-secure");
                String wrongPassword = failingRun(config(dir, saslPort, "ca.pem", "wrong.password"), spool);
                assertThat(wrongPassword).contains("SaslAuthenticationException").contains("Authentication failed");
                String wrongCa = failingRun(config(dir, saslPort, "other-ca.pem", "right.password"), spool);
                assertThat(wrongCa).containsAnyOf("SSL handshake failed", "SSLHandshakeException");

                assertDeliveredExactlyOnce(kafka, right, spool, "pi-secure", "it.secure", written);
            }
        }
    }

    @Test
    void mutualTls_missingOrUntrustedClientCertificateFails_andLosesNothing_theRightOneDeliversEverything(
            @TempDir Path dir) throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        makeCa(certs, "ca");
        makeCa(certs, "other-ca");
        makeBrokerKeystore(certs);
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", certs.resolve("ca.pem").toString(),
                "-keystore", certs.resolve("trust.p12").toString(), "-storepass", PASSWORD);
        makeClientCertificate(certs, "ca", "client");
        makeClientCertificate(certs, "other-ca", "stranger");
        int sslPort = TestDevice.freePort();
        try (EmbeddedKafka kafka = EmbeddedKafka.startWithMutualTls(dir.resolve("kafka"), sslPort,
                certs.resolve("broker.p12"), certs.resolve("trust.p12"), PASSWORD)) {
            DeviceConfig right = mtlsConfig(dir, sslPort, "client");
            try (SegmentedFileSpool spool = SegmentedFileSpool.open(right.spool(), "pi-mtls", InstantSource.system())) {
                Set<Identity> written = fill(spool, "pi-mtls");
                String noCertificate = failingRun(mtlsConfig(dir, sslPort, null), spool, "pi-mtls");
                assertThat(noCertificate).containsAnyOf("SSL handshake failed", "SSLHandshakeException",
                        "SslAuthenticationException");
                String untrusted = failingRun(mtlsConfig(dir, sslPort, "stranger"), spool, "pi-mtls");
                assertThat(untrusted).containsAnyOf("SSL handshake failed", "SSLHandshakeException",
                        "SslAuthenticationException");

                assertDeliveredExactlyOnce(kafka, right, spool, "pi-mtls", "it.mtls", written);
            }
        }
    }

    /**
     * Two devices on one cluster with Kafka's StandardAuthorizer and only the per-device ACLs documented in
     * cloud-bridge/README.md: each bridge delivers exactly once and commits its checkpoint; each device can read its
     * own checkpoint from its group, and neither can read the other's group, read the checkpoint topic, take the
     * other's transactional id or write the other's topic.
     */
    @Test
    void perDeviceAcls_eachBridgeDelivers_andNoDeviceCanReadOrTakeAnothersCheckpoint(@TempDir Path dir)
            throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        makeCa(certs, "ca");
        makeBrokerKeystore(certs);
        Files.writeString(certs.resolve("pi-a.password"), "secret-a\n");
        Files.writeString(certs.resolve("pi-b.password"), "secret-b\n");
        int saslPort = TestDevice.freePort();
        String checkpoints = "edge.bridge.checkpoints";
        try (EmbeddedKafka kafka = EmbeddedKafka.startWithSaslSslAndAcls(dir.resolve("kafka"), saslPort,
                certs.resolve("broker.p12"), PASSWORD, Map.of("pi-a", "secret-a", "pi-b", "secret-b"))) {
            try (Admin admin = Admin.create(
                    Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                new CheckpointStore(kafka.bootstrapServers(), checkpoints, Map.of())
                        .ensureTopic(Duration.ofSeconds(30));
                admin.createTopics(List.of(new NewTopic("it.acl.pi-a", 1, (short) 1),
                        new NewTopic("it.acl.pi-b", 1, (short) 1))).all().get();
                List<AclBinding> acls = new ArrayList<>();
                acls.addAll(deviceAcls("pi-a", "it.acl.pi-a", checkpoints));
                acls.addAll(deviceAcls("pi-b", "it.acl.pi-b", checkpoints));
                admin.createAcls(acls).all().get();
            }
            Path deviceA = Files.createDirectories(dir.resolve("pi-a"));
            Path deviceB = Files.createDirectories(dir.resolve("pi-b"));
            Files.createSymbolicLink(deviceA.resolve("certs"), certs);
            Files.createSymbolicLink(deviceB.resolve("certs"), certs);
            DeviceConfig a = aclConfig(deviceA, "pi-a", saslPort);
            DeviceConfig b = aclConfig(deviceB, "pi-b", saslPort);
            try (SegmentedFileSpool spoolA = SegmentedFileSpool.open(a.spool(), "pi-a", InstantSource.system());
                 SegmentedFileSpool spoolB = SegmentedFileSpool.open(b.spool(), "pi-b", InstantSource.system())) {
                assertDeliveredExactlyOnce(kafka, a, spoolA, "pi-a", "it.acl.pi-a", fill(spoolA, "pi-a"));
                assertDeliveredExactlyOnce(kafka, b, spoolB, "pi-b", "it.acl.pi-b", fill(spoolB, "pi-b"));
            }

            String sasl = "127.0.0.1:" + saslPort;
            var asB = new HashMap<String, Object>(
                    SecurityProperties.of(b.bridge().security()));
            var storeAsA = new CheckpointStore(sasl, checkpoints,
                    SecurityProperties.of(a.bridge().security()));
            var storeAsB = new CheckpointStore(sasl, checkpoints, asB);
            var asSuperUser = new CheckpointStore(kafka.bootstrapServers(), checkpoints,
                    Map.of());
            Duration timeout = Duration.ofSeconds(20);
            assertThat(storeAsA.loadFromGroup("pi-a", timeout)).as("pi-a restores its own checkpoint").isPresent()
                    .isEqualTo(asSuperUser.loadFromGroup("pi-a", timeout));
            assertThat(storeAsB.loadFromGroup("pi-b", timeout)).as("pi-b restores its own checkpoint").isPresent()
                    .isEqualTo(asSuperUser.loadFromGroup("pi-b", timeout));
            assertThatThrownBy(() -> storeAsB.loadFromGroup("pi-a", timeout))
                    .as("pi-b reads pi-a's group").hasRootCauseInstanceOf(
                            GroupAuthorizationException.class);
            assertThatThrownBy(() -> storeAsB.loadFromTopic("pi-a", timeout))
                    .as("pi-b scans the checkpoint topic").isInstanceOf(
                            TopicAuthorizationException.class);
            assertThat(storeAsB.load("pi-b", timeout)).as("restore still works: from the group").isPresent();

            Map<String, Object> producer = new HashMap<>(asB);
            producer.put("bootstrap.servers", sasl);
            producer.put("key.serializer", ByteArraySerializer.class.getName());
            producer.put("value.serializer", ByteArraySerializer.class.getName());
            producer.put("max.block.ms", 20_000);
            producer.put("transactional.id", "edge-bridge-pi-a");
            try (var stealer = new KafkaProducer<byte[], byte[]>(producer)) {
                assertThatThrownBy(stealer::initTransactions)
                        .as("pi-b takes pi-a's transactional id (would fence pi-a's bridge)")
                        .isInstanceOf(TransactionalIdAuthorizationException.class);
            }
            producer.put("transactional.id", "edge-bridge-pi-b");
            try (var writer = new KafkaProducer<byte[], byte[]>(producer)) {
                writer.initTransactions();
                writer.beginTransaction();
                assertThatThrownBy(() -> writer.send(
                                new ProducerRecord<>("it.acl.pi-a", new byte[1])).get())
                        .as("pi-b writes pi-a's topic").hasRootCauseInstanceOf(
                                TopicAuthorizationException.class);
            }
        }
    }

    /**
     * Commands under per-device ACLs (docs/commands.md): with only its ACLs, pi-a's command bridge reads its command
     * topic, commits its position and writes the result; pi-b can neither read pi-a's commands, nor read or commit
     * pi-a's position, nor take pi-a's command transactional id.
     */
    @Test
    void perDeviceCommandAcls_aDeviceReadsOnlyItsOwnCommands_andWritesTheirResults(@TempDir Path dir)
            throws Exception {
        Path certs = commandAclCertificates(dir);
        int saslPort = TestDevice.freePort();
        try (EmbeddedKafka kafka = startCommandAclKafka(dir, certs, saslPort)) {
            createTopicsAndAcls(kafka, List.of("edge.commands.pi-a", "edge.commands.pi-b", "edge.desired.pi-a",
                    "edge.desired.pi-b"), List.of(commandAcls("pi-a", RESULTS), commandAcls("pi-b", RESULTS)));
            DeviceConfig a = commandDeviceA(dir, certs, saslPort, "{enabled: true}");
            commandCompletesAndDesiredStateIsRead(kafka, a, "edge.commands.pi-a", "edge.desired.pi-a",
                    "output/relay");

            Map<String, Object> asB = asPiB(a, saslPort);
            Map<String, Object> consumerB = readCommittedConsumer(asB);
            for (String topic : List.of("edge.commands.pi-a", "edge.desired.pi-a")) {
                try (var spy = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(consumerB)) {
                    spy.assign(List.of(new org.apache.kafka.common.TopicPartition(topic, 0)));
                    spy.seekToBeginning(spy.assignment());
                    assertThatThrownBy(() -> spy.poll(Duration.ofSeconds(10))).as("pi-b reads %s", topic)
                            .isInstanceOf(TopicAuthorizationException.class);
                }
            }
            consumerB.put("group.id", "edge-commands-pi-a");
            try (var spy = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(consumerB)) {
                assertThatThrownBy(() -> spy.committed(Set.of(new org.apache.kafka.common.TopicPartition(
                        "edge.commands.pi-b", 0)), Duration.ofSeconds(20)))
                        .as("pi-b reads pi-a's command position").isInstanceOf(GroupAuthorizationException.class);
            }
            Map<String, Object> producer = new HashMap<>(asB);
            producer.put("key.serializer", ByteArraySerializer.class.getName());
            producer.put("value.serializer", ByteArraySerializer.class.getName());
            producer.put("max.block.ms", 20_000);
            producer.put("transactional.id", "edge-commands-pi-a");
            try (var stealer = new KafkaProducer<byte[], byte[]>(producer)) {
                assertThatThrownBy(stealer::initTransactions)
                        .as("pi-b takes pi-a's command transactional id (would fence pi-a's command bridge)")
                        .isInstanceOf(TransactionalIdAuthorizationException.class);
            }
        }
    }

    /**
     * Commands of a group (kafka.commands.group) under group ACLs: with only READ and DESCRIBE on its group's two
     * topics (and its own results, transactional id and consumer group), pi-a's command bridge reads its command and
     * its desired state from the group's topics and writes the result; pi-b, of another group, can read neither of
     * pi-a's group's topics, and reads its own group's.
     */
    @Test
    void groupCommandAcls_aDeviceReadsItsGroupsTopics_andNoOtherGroups(@TempDir Path dir) throws Exception {
        Path certs = commandAclCertificates(dir);
        int saslPort = TestDevice.freePort();
        try (EmbeddedKafka kafka = startCommandAclKafka(dir, certs, saslPort)) {
            createTopicsAndAcls(kafka, List.of("edge.commands.group.north", "edge.desired.group.north",
                    "edge.commands.group.south", "edge.desired.group.south"), List.of(
                    commandAcls("pi-a", "edge.commands.group.north", "edge.desired.group.north", RESULTS),
                    commandAcls("pi-b", "edge.commands.group.south", "edge.desired.group.south", RESULTS)));
            DeviceConfig a = commandDeviceA(dir, certs, saslPort, "{enabled: true, group: north}");
            commandCompletesAndDesiredStateIsRead(kafka, a, "edge.commands.group.north", "edge.desired.group.north",
                    "pi-a/output/relay");

            Map<String, Object> consumerB = readCommittedConsumer(asPiB(a, saslPort));
            for (String topic : List.of("edge.commands.group.north", "edge.desired.group.north")) {
                try (var spy = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(consumerB)) {
                    spy.assign(List.of(new org.apache.kafka.common.TopicPartition(topic, 0)));
                    spy.seekToBeginning(spy.assignment());
                    assertThatThrownBy(() -> spy.poll(Duration.ofSeconds(10)))
                            .as("pi-b (group south) reads %s", topic).isInstanceOf(TopicAuthorizationException.class);
                }
            }
            try (var own = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(consumerB)) {
                own.assign(List.of(new org.apache.kafka.common.TopicPartition("edge.commands.group.south", 0)));
                own.seekToBeginning(own.assignment());
                assertThat(own.poll(Duration.ofSeconds(2)).count()).as("pi-b reads its own group's topic").isZero();
            }
        }
    }

    private static final String RESULTS = "edge.command-results";
    private static final String CHECKPOINTS = "edge.bridge.checkpoints";

    /** A CA, the broker's keystore and pi-a's and pi-b's SCRAM passwords under {@code dir/certs}. */
    private static Path commandAclCertificates(Path dir) throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        makeCa(certs, "ca");
        makeBrokerKeystore(certs);
        Files.writeString(certs.resolve("pi-a.password"), "secret-a\n");
        Files.writeString(certs.resolve("pi-b.password"), "secret-b\n");
        return certs;
    }

    private static EmbeddedKafka startCommandAclKafka(Path dir, Path certs, int saslPort) throws Exception {
        return EmbeddedKafka.startWithSaslSslAndAcls(dir.resolve("kafka"), saslPort, certs.resolve("broker.p12"),
                PASSWORD, Map.of("pi-a", "secret-a", "pi-b", "secret-b"));
    }

    /**
     * As the super user: the checkpoint topic, pi-a's data topic, the results topic and {@code commandTopics} (one
     * partition each), pi-a's bridge ACLs and {@code commandAcls}.
     */
    private static void createTopicsAndAcls(EmbeddedKafka kafka, List<String> commandTopics,
                                            List<List<AclBinding>> commandAcls) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            new CheckpointStore(kafka.bootstrapServers(), CHECKPOINTS, Map.of()).ensureTopic(Duration.ofSeconds(30));
            List<NewTopic> topics = new ArrayList<>(List.of(new NewTopic("it.acl.pi-a", 1, (short) 1),
                    new NewTopic(RESULTS, 1, (short) 1)));
            commandTopics.forEach(t -> topics.add(new NewTopic(t, 1, (short) 1)));
            admin.createTopics(topics).all().get();
            List<AclBinding> acls = new ArrayList<>(deviceAcls("pi-a", "it.acl.pi-a", CHECKPOINTS));
            commandAcls.forEach(acls::addAll);
            admin.createAcls(acls).all().get();
        }
    }

    /** pi-a's configuration: SASL_SSL as pi-a, commands as {@code commandsYaml}. */
    private static DeviceConfig commandDeviceA(Path dir, Path certs, int saslPort, String commandsYaml)
            throws Exception {
        Path deviceA = Files.createDirectories(dir.resolve("pi-a"));
        Files.createSymbolicLink(deviceA.resolve("certs"), certs);
        return ConfigLoader.parse(Path.of("pi-a.yaml"), """
                device: {id: pi-a}
                broker: {listener: {host: 127.0.0.1, port: %d}, data-directory: broker}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: 127.0.0.1:%d
                  retry-backoff-max: 1s
                  commands: %s
                  security: {protocol: SASL_SSL, ca-file: certs/ca.pem, sasl-mechanism: SCRAM-SHA-512,
                             username: pi-a, password-file: certs/pi-a.password}
                  routes: [{mqtt-filter: "edge/#", kafka-topic: it.acl.pi-a}]
                sensors: []
                """.formatted(TestDevice.freePort(), saslPort, commandsYaml), deviceA);
    }

    /**
     * Runs pi-a's broker service with its command bridge (under pi-a's ACLs only), sends it a desired state
     * ({@code desiredKey}: {"level":"high"}) and a command for target relay, and waits for the command's one
     * {@code completed} result and for the desired state in pi-a's {@code desired.status}.
     */
    private static void commandCompletesAndDesiredStateIsRead(EmbeddedKafka kafka, DeviceConfig a, String commandTopic,
                                                              String desiredTopic, String desiredKey) throws Exception {
        int mqttPort = a.broker().listeners().getFirst().port();
        try (EdgeBrokerService service = EdgeBrokerService.start(a)) {
            var relay = CommandTestClients.responder(mqttPort, "relay-a", "edge/pi-a/commands/relay",
                    (target, payload) -> { });
            Map<String, Object> plain = new HashMap<>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "key.serializer", ByteArraySerializer.class.getName(),
                    "value.serializer", ByteArraySerializer.class.getName()));
            try (var sender = new KafkaProducer<byte[], byte[]>(plain)) {
                sender.send(new ProducerRecord<>(desiredTopic, desiredKey.getBytes(),
                        "{\"level\":\"high\"}".getBytes())).get();
                var command = new ProducerRecord<>(commandTopic, "pi-a".getBytes(), "on".getBytes());
                command.headers().add("command_id", "acl-1".getBytes()).add("target", "relay".getBytes());
                sender.send(command).get();
            }
            var resultsById = CommandTestClients.results(kafka.bootstrapServers(), RESULTS, 1,
                    Duration.ofSeconds(60), Duration.ofSeconds(1));
            assertThat(resultsById).as("pi-a's result, written with pi-a's ACLs only").containsOnlyKeys("acl-1");
            assertThat(resultsById.get("acl-1")).hasSize(1);
            assertThat(resultsById.get("acl-1").get(0).get("state").asText()).isEqualTo("completed");
            relay.disconnect();
            Path desiredStatus = a.bridge().commands().directory().resolve(
                    dev.edgeline.bridge.commands.DesiredStatusFile.NAME);
            Awaits.until(Duration.ofSeconds(30), () -> readIfThere(desiredStatus).contains(
                    "\"desired_id\":\"desired-0\",\"desired\":{\"output/relay\":{\"level\":\"high\"}}"),
                    "pi-a's desired state, read with its ACLs");
        }
    }

    /** Client settings as pi-b: pi-a's security settings with pi-b's SCRAM login. */
    private static Map<String, Object> asPiB(DeviceConfig a, int saslPort) throws java.io.IOException {
        Map<String, Object> asB = new HashMap<>(SecurityProperties.of(a.bridge().security()));
        asB.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required "
                + "username=\"pi-b\" password=\"secret-b\";");
        asB.put("bootstrap.servers", "127.0.0.1:" + saslPort);
        return asB;
    }

    private static Map<String, Object> readCommittedConsumer(Map<String, Object> client) {
        Map<String, Object> consumer = new HashMap<>(client);
        consumer.put("key.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        consumer.put("value.deserializer", org.apache.kafka.common.serialization.ByteArrayDeserializer.class.getName());
        consumer.put("isolation.level", "read_committed");
        consumer.put("default.api.timeout.ms", 20_000);
        return consumer;
    }

    private static String readIfThere(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /**
     * The command ACLs of one device (docs/commands.md): READ and DESCRIBE on its command and desired-state topics, WRITE and DESCRIBE on
     * the results topic and on its command transactional id, READ on its command group.
     */
    private static List<AclBinding> commandAcls(String device, String resultsTopic) {
        return commandAcls(device, "edge.commands." + device, "edge.desired." + device, resultsTopic);
    }

    /** The same with the command and desired-state topics named: a group's, for a device of a command group. */
    private static List<AclBinding> commandAcls(String device, String commandTopic, String desiredTopic,
                                                String resultsTopic) {
        String principal = "User:" + device;
        List<AclBinding> acls = new ArrayList<>();
        acls.add(acl(ResourceType.TOPIC, commandTopic, principal, AclOperation.READ));
        acls.add(acl(ResourceType.TOPIC, commandTopic, principal, AclOperation.DESCRIBE));
        acls.add(acl(ResourceType.TOPIC, desiredTopic, principal, AclOperation.READ));
        acls.add(acl(ResourceType.TOPIC, desiredTopic, principal, AclOperation.DESCRIBE));
        for (var op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
            acls.add(acl(ResourceType.TOPIC, resultsTopic, principal, op));
            acls.add(acl(ResourceType.TRANSACTIONAL_ID, "edge-commands-" + device, principal, op));
        }
        acls.add(acl(ResourceType.GROUP, "edge-commands-" + device, principal, AclOperation.READ));
        return acls;
    }

    /**
     * The ACLs of one device (cloud-bridge/README.md): WRITE and DESCRIBE on its data topic and the checkpoint topic,
     * WRITE and DESCRIBE on its transactional id, READ on the anchor topic and on its own group.
     */
    private static List<AclBinding> deviceAcls(String device, String dataTopic,
                                                                          String checkpointTopic) {
        String principal = "User:" + device;
        List<AclBinding> acls = new ArrayList<>();
        for (var op : List.of(AclOperation.WRITE,
                AclOperation.DESCRIBE)) {
            acls.add(acl(ResourceType.TOPIC, dataTopic, principal, op));
            acls.add(acl(ResourceType.TOPIC, checkpointTopic, principal, op));
            acls.add(acl(ResourceType.TRANSACTIONAL_ID, "edge-bridge-" + device,
                    principal, op));
        }
        acls.add(acl(ResourceType.TOPIC, checkpointTopic + ".anchor", principal,
                AclOperation.READ));
        acls.add(acl(ResourceType.GROUP, "edge-bridge-" + device, principal,
                AclOperation.READ));
        return acls;
    }

    private static AclBinding acl(ResourceType type,
                                                              String name, String principal,
                                                              AclOperation operation) {
        return new AclBinding(
                new ResourcePattern(type, name,
                        PatternType.LITERAL),
                new AccessControlEntry(principal, "*", operation,
                        AclPermissionType.ALLOW));
    }

    private static DeviceConfig aclConfig(Path dir, String device, int saslPort) throws Exception {
        return secureConfig(dir, device, saslPort, "it.acl." + device, """
                protocol: SASL_SSL
                ca-file: certs/ca.pem
                sasl-mechanism: SCRAM-SHA-512
                username: %s
                password-file: certs/%s.password
                """.formatted(device, device));
    }

    /** 1,000 records of stream {@code t} in the spool; returns their identities. */
    private static Set<Identity> fill(SegmentedFileSpool spool, String device) {
        Set<Identity> written = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            spool.append("telemetry", new SpoolRecord(device, "t", 1, i, "edge/" + device + "/t", true, i,
                    new byte[50])).join();
            written.add(new Identity(device, "t", 1, i));
        }
        return written;
    }

    /** Runs the bridge with the right credentials: every record reaches {@code topic} exactly once. */
    private static void assertDeliveredExactlyOnce(EmbeddedKafka kafka, DeviceConfig config, SegmentedFileSpool spool,
                                                   String device, String topic, Set<Identity> written)
            throws Exception {
        try (BridgedRecordCollector collector = new BridgedRecordCollector(kafka.bootstrapServers(), List.of(topic),
                r -> { });
             CloudBridge bridge = new CloudBridge(config.bridge(), device, () -> spool.openReader("bridge"))) {
            collector.start();
            bridge.start();
            Awaits.until(Duration.ofSeconds(60), () -> collector.distinctCount() >= written.size(),
                    "every record in " + topic);
            Thread.sleep(1_000);
            assertThat(collector.distinct()).isEqualTo(written);
            assertThat(collector.duplicates()).isZero();
        }
    }

    private static DeviceConfig mtlsConfig(Path dir, int sslPort, String client) throws Exception {
        String clientFiles = client == null ? "" : """
                client-cert-file: certs/%s.pem
                client-key-file: certs/%s.key
                """.formatted(client, client);
        return secureConfig(dir, "pi-mtls", sslPort, "it.mtls", """
                protocol: SSL
                ca-file: certs/ca.pem
                """ + clientFiles);
    }

    /** A PEM client key (PKCS#8, openssl) and its certificate signed by {@code ca} (keytool). */
    private static void makeClientCertificate(Path certs, String ca, String name) throws Exception {
        run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=" + name, "-keyout", certs.resolve(name + ".key").toString(),
                "-out", certs.resolve(name + ".csr").toString());
        keytool("-gencert", "-alias", ca, "-keystore", certs.resolve(ca + ".p12").toString(), "-storepass", PASSWORD,
                "-infile", certs.resolve(name + ".csr").toString(), "-outfile", certs.resolve(name + ".pem").toString(),
                "-validity", "2", "-rfc");
    }

    private static String failingRun(DeviceConfig config, SegmentedFileSpool spool) throws Exception {
        return failingRun(config, spool, "pi-secure");
    }

    /** Runs a bridge that cannot get in; returns its error after checking it forwarded nothing. */
    private static String failingRun(DeviceConfig config, SegmentedFileSpool spool, String device) throws Exception {
        try (CloudBridge bridge = new CloudBridge(config.bridge(), device, () -> spool.openReader("bridge"))) {
            bridge.start();
            Awaits.until(Duration.ofSeconds(60), () -> !bridge.lastError().isEmpty(), "the bridge to report its error");
            Thread.sleep(1_000);
            assertThat(bridge.forwarded()).isZero();
            return bridge.lastError();
        }
    }

    private static DeviceConfig config(Path dir, int saslPort, String ca, String passwordFile) throws Exception {
        return secureConfig(dir, "pi-secure", saslPort, "it.secure", """
                protocol: SASL_SSL
                ca-file: certs/%s
                sasl-mechanism: SCRAM-SHA-512
                username: pi-secure
                password-file: certs/%s
                """.formatted(ca, passwordFile));
    }

    /** A bridge-only device config for {@code device} with the given {@code kafka.security} lines. */
    private static DeviceConfig secureConfig(Path dir, String device, int port, String topic, String securityLines)
            throws Exception {
        String security = securityLines.lines().map(line -> "    " + line + "\n").reduce("", String::concat);
        return ConfigLoader.parse(Path.of(device + ".yaml"), """
                device: {id: %s}
                broker: {listener: {port: 1}}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: 127.0.0.1:%d
                  retry-backoff-max: 1s
                  security:
                %s  routes: [{mqtt-filter: "edge/#", kafka-topic: %s}]
                sensors: []
                """.formatted(device, port, security, topic), dir);
    }

    private static void makeCa(Path certs, String name) throws Exception {
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "bc:c", "-validity", "2", "-keystore", certs.resolve(name + ".p12").toString(),
                "-storepass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", name, "-keystore", certs.resolve(name + ".p12").toString(),
                "-storepass", PASSWORD, "-file", certs.resolve(name + ".pem").toString());
    }

    private static void makeBrokerKeystore(Path certs) throws Exception {
        String keystore = certs.resolve("broker.p12").toString();
        keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-keystore", keystore, "-storepass", PASSWORD);
        keytool("-certreq", "-alias", "broker", "-keystore", keystore, "-storepass", PASSWORD,
                "-file", certs.resolve("broker.csr").toString());
        keytool("-gencert", "-alias", "ca", "-keystore", certs.resolve("ca.p12").toString(), "-storepass", PASSWORD,
                "-infile", certs.resolve("broker.csr").toString(), "-outfile", certs.resolve("broker.pem").toString(),
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-rfc");
        keytool("-importcert", "-noprompt", "-alias", "ca", "-file", certs.resolve("ca.pem").toString(),
                "-keystore", keystore, "-storepass", PASSWORD);
        keytool("-importcert", "-alias", "broker", "-file", certs.resolve("broker.pem").toString(),
                "-keystore", keystore, "-storepass", PASSWORD);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        run(command.toArray(String[]::new));
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
