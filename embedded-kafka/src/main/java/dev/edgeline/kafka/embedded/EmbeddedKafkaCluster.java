package dev.edgeline.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real multi-node KRaft cluster in this JVM: one controller and N brokers, each its own {@code KafkaRaftServer} with
 * its own log directory and port on 127.0.0.1. Internal topics are replicated 3 ways (or N, if fewer) with
 * min.insync.replicas 2, so that losing one broker is survivable. Brokers can be stopped and started one by one, for
 * tests where replication and leader loss matter.
 */
public final class EmbeddedKafkaCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaCluster.class);
    private static final int CONTROLLER_ID = 100;

    private final Path directory;
    private final String clusterId = Uuid.randomUuid().toString();
    private final int controllerPort = freePort();
    private final Map<Integer, Integer> brokerPorts = new LinkedHashMap<>();
    private KafkaRaftServer controller;
    private final Map<Integer, KafkaRaftServer> brokers = new LinkedHashMap<>();

    private EmbeddedKafkaCluster(Path directory, int brokerCount) {
        this.directory = directory;
        for (int id = 1; id <= brokerCount; id++) {
            brokerPorts.put(id, freePort());
        }
    }

    /** Starts a controller and {@code brokerCount} brokers and waits until all brokers are registered. */
    public static EmbeddedKafkaCluster start(Path directory, int brokerCount) throws IOException {
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(directory.toAbsolutePath(), brokerCount);
        try {
            cluster.controller = cluster.startNode(CONTROLLER_ID);
            for (int id : cluster.brokerPorts.keySet()) {
                cluster.brokers.put(id, cluster.startNode(id));
            }
            cluster.awaitBrokers(brokerCount, Duration.ofSeconds(60));
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
        LOG.info("[EmbeddedKafkaCluster] {} broker(s) on {}", brokerCount, cluster.bootstrapServers());
        return cluster;
    }

    /** All brokers, running or not: clients find the ones that are up. */
    public String bootstrapServers() {
        return brokerPorts.values().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    public List<Integer> brokerIds() {
        return new ArrayList<>(brokerPorts.keySet());
    }

    /** Stops one broker (a clean shutdown; its data stays). */
    public synchronized void stopBroker(int id) {
        KafkaRaftServer server = brokers.remove(id);
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            LOG.info("[EmbeddedKafkaCluster] broker {} stopped", id);
        }
    }

    /** Starts a stopped broker again with its data. */
    public synchronized void startBroker(int id) throws IOException {
        if (!brokers.containsKey(id)) {
            brokers.put(id, startNode(id));
            LOG.info("[EmbeddedKafkaCluster] broker {} started", id);
        }
    }

    private KafkaRaftServer startNode(int id) throws IOException {
        Path logDir = directory.resolve("node-" + id);
        Files.createDirectories(logDir);
        Properties props = properties(id, logDir);
        Path propertiesFile = directory.resolve("node-" + id + ".properties");
        try (OutputStream out = Files.newOutputStream(propertiesFile)) {
            props.store(out, "embedded cluster node " + id);
        }
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            int status = StorageTool.execute(new String[] {"format", "--cluster-id", clusterId, "--config",
                    propertiesFile.toString(), "--ignore-formatted"}, new PrintStream(output, true, StandardCharsets.UTF_8));
            if (status != 0) {
                throw new IOException("formatting node " + id + " failed: " + output);
            }
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        server.startup();
        return server;
    }

    private Properties properties(int id, Path logDir) {
        int replication = Math.min(3, brokerPorts.size());
        Properties p = new Properties();
        p.put("node.id", String.valueOf(id));
        p.put("controller.quorum.voters", CONTROLLER_ID + "@127.0.0.1:" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("log.dirs", logDir.toString());
        if (id == CONTROLLER_ID) {
            p.put("process.roles", "controller");
            p.put("listeners", "CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT");
        } else {
            int port = brokerPorts.get(id);
            p.put("process.roles", "broker");
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.put("inter.broker.listener.name", "PLAINTEXT");
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        }
        p.put("num.partitions", "3");
        p.put("default.replication.factor", String.valueOf(replication));
        p.put("min.insync.replicas", String.valueOf(Math.max(1, replication - 1)));
        p.put("offsets.topic.replication.factor", String.valueOf(replication));
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", String.valueOf(replication));
        p.put("transaction.state.log.min.isr", String.valueOf(Math.max(1, replication - 1)));
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", String.valueOf(replication));
        p.put("share.coordinator.state.topic.min.isr", String.valueOf(Math.max(1, replication - 1)));
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("unclean.leader.election.enable", "false");
        return p;
    }

    private void awaitBrokers(int count, Duration timeout) throws IOException {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        admin.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin client = Admin.create(admin)) {
            while (true) {
                try {
                    if (client.describeCluster().nodes().get(10, TimeUnit.SECONDS).size() >= count) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("cluster not ready within " + timeout, e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("only some brokers registered within " + timeout);
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the cluster", e);
        }
    }

    @Override
    public synchronized void close() {
        for (KafkaRaftServer server : brokers.values()) {
            server.shutdown();
        }
        for (KafkaRaftServer server : brokers.values()) {
            server.awaitShutdown();
        }
        brokers.clear();
        if (controller != null) {
            controller.shutdown();
            controller.awaitShutdown();
            controller = null;
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
