package dev.edgeline.kafka.embedded;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
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
    private final int controllerPort = KafkaNodes.freePort();
    private final Map<Integer, Integer> brokerPorts = new LinkedHashMap<>();
    private KafkaRaftServer controller;
    private final Map<Integer, KafkaRaftServer> brokers = new LinkedHashMap<>();

    private final Map<String, String> brokerOverrides;

    private EmbeddedKafkaCluster(Path directory, int brokerCount, Map<String, String> brokerOverrides) {
        this.directory = directory;
        this.brokerOverrides = Map.copyOf(brokerOverrides);
        for (int id = 1; id <= brokerCount; id++) {
            brokerPorts.put(id, KafkaNodes.freePort());
        }
    }

    /** Starts a controller and {@code brokerCount} brokers and waits until all brokers are registered. */
    public static EmbeddedKafkaCluster start(Path directory, int brokerCount) throws IOException {
        return start(directory, brokerCount, Map.of());
    }

    /** As {@link #start(Path, int)}, with broker settings of the caller's over the defaults (brokers only). */
    public static EmbeddedKafkaCluster start(Path directory, int brokerCount, Map<String, String> brokerOverrides)
            throws IOException {
        EmbeddedKafkaCluster cluster = new EmbeddedKafkaCluster(directory.toAbsolutePath(), brokerCount,
                brokerOverrides);
        try {
            cluster.controller = cluster.startNode(CONTROLLER_ID);
            for (int id : cluster.brokerPorts.keySet()) {
                cluster.brokers.put(id, cluster.startNode(id));
            }
            KafkaNodes.awaitBrokers(cluster.bootstrapServers(), brokerCount, Duration.ofSeconds(60));
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
        KafkaRaftServer server = KafkaNodes.start(properties(id, logDir), directory.resolve("node-" + id + ".properties"),
                logDir, clusterId, List.of());
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
        if (id != CONTROLLER_ID) {
            p.putAll(brokerOverrides);
        }
        return p;
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
}
