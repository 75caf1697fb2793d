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
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Time;

/** What the single broker and the cluster do alike: ports, formatting and starting a node, waiting for brokers. */
final class KafkaNodes {
    private KafkaNodes() {}

    /** A free port on the loopback address. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes {@code props} to {@code propertiesFile}, formats {@code logDirectory} with {@code clusterId} (and
     * {@code formatArguments}) unless it already is, and starts the node.
     */
    static KafkaRaftServer start(Properties props, Path propertiesFile, Path logDirectory, String clusterId,
                                 List<String> formatArguments) throws IOException {
        try (OutputStream out = Files.newOutputStream(propertiesFile)) {
            props.store(out, "embedded KRaft node");
        }
        if (!Files.exists(logDirectory.resolve("meta.properties"))) {
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            List<String> arguments = new ArrayList<>(List.of("format", "--cluster-id", clusterId, "--config",
                    propertiesFile.toString(), "--ignore-formatted"));
            arguments.addAll(formatArguments);
            int status = StorageTool.execute(arguments.toArray(String[]::new),
                    new PrintStream(output, true, StandardCharsets.UTF_8));
            if (status != 0) {
                throw new IOException("formatting Kafka storage in " + logDirectory + " failed: " + output);
            }
        }
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            server.shutdown(); // a half-started node leaves threads running otherwise
            server.awaitShutdown();
            throw new IOException("Kafka node in " + logDirectory + " failed to start: " + e.getMessage(), e);
        }
        return server;
    }

    /** Waits until at least {@code count} brokers are registered, as seen through {@code bootstrapServers}. */
    static void awaitBrokers(String bootstrapServers, int count, Duration timeout) throws IOException {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
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
                        throw new IOException("Kafka on " + bootstrapServers + " not ready within " + timeout, e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("fewer than " + count + " broker(s) registered on " + bootstrapServers
                            + " within " + timeout);
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for Kafka", e);
        }
    }
}
