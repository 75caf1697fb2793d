package dev.edgeline.kafka.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) running in this JVM from the
 * Maven Central jars: for the demo and the integration tests, never a mock.
 *
 * <p>Listens on 127.0.0.1 only. Its data lives in {@code logDirectory} and survives {@link #stop()}, so
 * {@link #restart()} brings back the same cluster on the same ports (what the outage tests need). Internal topics are
 * configured for one node (replication factor 1). Topics are created on first use with 3 partitions.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    private final Path logDirectory;
    private final int port;
    private final int controllerPort;
    private final Map<String, String> overrides;
    private final java.util.List<String> formatArguments;
    private KafkaRaftServer server;

    private EmbeddedKafka(Path logDirectory, int port, int controllerPort, Map<String, String> overrides,
                          java.util.List<String> formatArguments) {
        this.logDirectory = logDirectory;
        this.port = port;
        this.controllerPort = controllerPort;
        this.overrides = Map.copyOf(overrides);
        this.formatArguments = java.util.List.copyOf(formatArguments);
    }

    /** Formats {@code logDirectory} if needed and starts a broker on {@code port} (0: any free port). */
    public static EmbeddedKafka start(Path logDirectory, int port) throws IOException {
        return start(logDirectory, port, Map.of());
    }

    /** As {@link #start(Path, int)}, with extra broker properties. */
    public static EmbeddedKafka start(Path logDirectory, int port, Map<String, String> overrides) throws IOException {
        return start(logDirectory, port, overrides, java.util.List.of());
    }

    /**
     * As {@link #start(Path, int, Map)}, with extra arguments for the storage format step (for example
     * {@code --add-scram SCRAM-SHA-512=[name=edge,password=secret]} to create SASL/SCRAM users).
     */
    public static EmbeddedKafka start(Path logDirectory, int port, Map<String, String> overrides,
                                      java.util.List<String> formatArguments) throws IOException {
        Files.createDirectories(logDirectory);
        EmbeddedKafka kafka = new EmbeddedKafka(logDirectory.toAbsolutePath(), port == 0 ? KafkaNodes.freePort() : port,
                KafkaNodes.freePort(), overrides, formatArguments);
        kafka.startServer();
        return kafka;
    }

    /**
     * A broker with a second listener on {@code saslPort}: SASL_SSL with SCRAM-SHA-512, its certificate from the
     * PKCS#12 {@code keystore}, and one SCRAM user. The PLAINTEXT port stays for inter-broker traffic and test tools.
     */
    public static EmbeddedKafka startWithSaslSsl(Path logDirectory, int saslPort, Path keystore,
                                                 String keystorePassword, String user, String password)
            throws IOException {
        return startWithScram(logDirectory, saslPort, keystore, keystorePassword, Map.of(user, password), Map.of());
    }

    /**
     * As {@link #startWithSaslSsl}, with several SCRAM users and Kafka's {@code StandardAuthorizer}: a SASL_SSL client
     * may do only what an ACL allows it. The PLAINTEXT listener (and the controller) act as {@code User:ANONYMOUS},
     * a super user, so that tests can create topics and ACLs there.
     */
    public static EmbeddedKafka startWithSaslSslAndAcls(Path logDirectory, int saslPort, Path keystore,
                                                        String keystorePassword, Map<String, String> users)
            throws IOException {
        return startWithScram(logDirectory, saslPort, keystore, keystorePassword, users, Map.of(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users", "User:ANONYMOUS",
                "allow.everyone.if.no.acl.found", "false"));
    }

    /** PLAINTEXT plus SASL_SSL with SCRAM-SHA-512 on {@code saslPort}, the SCRAM {@code users}, and {@code extra}. */
    private static EmbeddedKafka startWithScram(Path logDirectory, int saslPort, Path keystore, String keystorePassword,
                                                Map<String, String> users, Map<String, String> extra)
            throws IOException {
        int plainPort = KafkaNodes.freePort();
        java.util.Map<String, String> overrides = secondListener(plainPort, "SASL_SSL", saslPort, keystore,
                keystorePassword);
        overrides.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
        overrides.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        overrides.putAll(extra);
        java.util.List<String> format = new java.util.ArrayList<>();
        users.forEach((user, password) -> {
            format.add("--add-scram");
            format.add("SCRAM-SHA-512=[name=" + user + ",password=" + password + "]");
        });
        return start(logDirectory, plainPort, overrides, format);
    }

    /**
     * A broker with a second listener on {@code sslPort}: SSL that requires a client certificate signed by a CA in the
     * PKCS#12 {@code truststore} (mutual TLS), its own certificate from {@code keystore}. Both stores use
     * {@code storePassword}. The PLAINTEXT port stays for inter-broker traffic and test tools.
     */
    public static EmbeddedKafka startWithMutualTls(Path logDirectory, int sslPort, Path keystore, Path truststore,
                                                   String storePassword) throws IOException {
        int plainPort = KafkaNodes.freePort();
        java.util.Map<String, String> overrides = secondListener(plainPort, "SSL", sslPort, keystore, storePassword);
        overrides.put("listener.name.ssl.ssl.truststore.location", truststore.toAbsolutePath().toString());
        overrides.put("listener.name.ssl.ssl.truststore.password", storePassword);
        overrides.put("listener.name.ssl.ssl.truststore.type", "PKCS12");
        overrides.put("listener.name.ssl.ssl.client.auth", "required");
        return start(logDirectory, plainPort, overrides);
    }

    /** Listener overrides for PLAINTEXT plus a TLS listener {@code name} (SSL or SASL_SSL) with its keystore. */
    private static java.util.Map<String, String> secondListener(int plainPort, String name, int port, Path keystore,
                                                                String keystorePassword) {
        String prefix = "listener.name." + name.toLowerCase(java.util.Locale.ROOT) + ".";
        java.util.Map<String, String> overrides = new java.util.HashMap<>();
        overrides.put("listeners", "PLAINTEXT://127.0.0.1:" + plainPort + "," + name + "://127.0.0.1:" + port
                + ",CONTROLLER://127.0.0.1:%CONTROLLER%");
        overrides.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + plainPort + "," + name + "://127.0.0.1:" + port);
        overrides.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + name + ":" + name + ",CONTROLLER:PLAINTEXT");
        overrides.put(prefix + "ssl.keystore.location", keystore.toAbsolutePath().toString());
        overrides.put(prefix + "ssl.keystore.password", keystorePassword);
        overrides.put(prefix + "ssl.keystore.type", "PKCS12");
        return overrides;
    }

    /** {@code 127.0.0.1:port}, for bootstrap.servers. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logDirectory() {
        return logDirectory;
    }

    /** Whether the broker is running. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    private synchronized void startServer() throws IOException {
        Path propertiesFile = logDirectory.resolveSibling(logDirectory.getFileName() + ".properties");
        KafkaRaftServer raftServer = KafkaNodes.start(properties(), propertiesFile, logDirectory,
                Uuid.randomUuid().toString(), formatArguments);
        try {
            KafkaNodes.awaitBrokers(bootstrapServers(), 1, Duration.ofSeconds(60));
        } catch (RuntimeException | IOException e) {
            raftServer.shutdown();
            raftServer.awaitShutdown();
            throw e instanceof IOException io ? io : new IOException("Kafka failed to start: " + e.getMessage(), e);
        }
        server = raftServer;
        LOG.info("[EmbeddedKafka {}] started (data in {})", bootstrapServers(), logDirectory);
    }

    private Properties properties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("log.dirs", logDirectory.toString());
        p.put("num.partitions", "3");
        p.put("auto.create.topics.enable", "true");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("log.segment.bytes", String.valueOf(64 << 20));
        overrides.forEach((key, value) -> p.put(key, value.replace("%CONTROLLER%", String.valueOf(controllerPort))));
        return p;
    }

    /** Stops the broker, keeping its data. Idempotent. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
            LOG.info("[EmbeddedKafka {}] stopped", bootstrapServers());
        }
    }

    /** Starts the broker again on the same ports with the same data. */
    public synchronized void restart() throws IOException {
        if (server == null) {
            startServer();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
