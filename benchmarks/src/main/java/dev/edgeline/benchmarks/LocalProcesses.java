package dev.edgeline.benchmarks;

import dev.edgeline.config.render.JvmFlags;
import dev.edgeline.config.render.MemoryProfile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Loopback ports and child JVMs (our broker, Kafka) for the harnesses. */
final class LocalProcesses {
    private LocalProcesses() {}

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * The JVM flags Kafka's own start scripts use ({@code kafka-server-start.sh}'s heap, {@code kafka-run-class.sh}'s
     * {@code KAFKA_JVM_PERFORMANCE_OPTS}): the cluster side of a benchmark runs as Kafka is meant to be run. Or
     * {@code -Dkafka.flags=a,b,c} to see how much of a figure the cluster's own JVM (its GC pauses) accounts for.
     */
    static final List<String> KAFKA_JVM_FLAGS = flags("kafka.flags",
            "-Xms1g,-Xmx1g,-XX:+UseG1GC,-XX:MaxGCPauseMillis=20,-XX:InitiatingHeapOccupancyPercent=35,"
                    + "-XX:+ExplicitGCInvokesConcurrent");

    /**
     * The edge broker's JVM flags on a device of the default memory profile (what firmware-config renders into
     * {@code edge-broker.env}), or
     * {@code -Dbroker.flags=a,b,c} (comma-separated, for {@code BENCH_JAVA_OPTS}) to compare others.
     */
    static final List<String> BROKER_JVM_FLAGS =
            flags("broker.flags", MemoryProfile.DEFAULT.brokerJvmOptions());

    /**
     * The cloud bridge's JVM flags on a device when it runs as its own service ({@code edge-bridge.env}), or
     * {@code -Dbridge.flags=a,b,c} to compare others.
     */
    static final List<String> BRIDGE_JVM_FLAGS = flags("bridge.flags", MemoryProfile.DEFAULT.bridgeJvmOptions());

    /** JVM flags from system property {@code property} (comma- or space-separated), else {@code defaults}. */
    private static List<String> flags(String property, String defaults) {
        return List.of(System.getProperty(property, defaults).trim().split("[,\\s]+"));
    }

    /** The children's JVM flags, for a result table's caption. */
    static String describeJvmFlags() {
        return "broker JVM " + String.join(" ", BROKER_JVM_FLAGS) + ", bridge JVM (when apart) "
                + String.join(" ", BRIDGE_JVM_FLAGS) + ", Kafka JVM " + String.join(" ", KAFKA_JVM_FLAGS);
    }

    /** Our broker ({@code bin/edge broker} with these arguments) with the device's JVM flags, output to {@code log}. */
    static Process startBroker(Path log, String... args) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("broker"));
        arguments.addAll(List.of(args));
        return startJvm(log, CorePinning.device(), BROKER_JVM_FLAGS, "dev.edgeline.appliance.Main",
                arguments.toArray(String[]::new));
    }

    /**
     * The cloud bridge as its own process ({@code bin/edge bridge} with these arguments) with its device JVM flags,
     * started behind {@code prefix} (such as {@code nice -n -5}), output to {@code log}.
     */
    static Process startBridge(Path log, List<String> prefix, String... args) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("bridge"));
        arguments.addAll(List.of(args));
        return startJvm(log, prefix, BRIDGE_JVM_FLAGS, "dev.edgeline.appliance.Main", arguments.toArray(String[]::new));
    }

    /**
     * An embedded single-node Kafka ({@link KafkaProcessMain}) with Kafka's own JVM flags, data in {@code dir}; returns
     * once it listens on {@code port} (the process is stopped if it does not).
     */
    static Process startKafka(Path log, Path dir, int port) throws IOException, InterruptedException {
        Process kafka = startJvm(log, CorePinning.cloud(), KAFKA_JVM_FLAGS, "dev.edgeline.benchmarks.KafkaProcessMain",
                dir.toString(), Integer.toString(port));
        try {
            awaitPort(port, kafka);
            return kafka;
        } catch (IOException | InterruptedException | RuntimeException e) {
            kafka.destroyForcibly();
            throw e;
        }
    }

    /**
     * A KRaft cluster of {@code brokers} embedded brokers in one child JVM ({@link KafkaProcessMain}) with Kafka's own
     * JVM flags and a heap of {@code heap} (such as {@code 3g}), data in {@code dir}, and this JVM's
     * {@code -Dkafka.broker.props=key=value,...} over the brokers' defaults; returns it and its bootstrap
     * servers once it said READY (the process is stopped if it does not within 3 minutes).
     */
    static Map.Entry<Process, String> startKafkaCluster(Path log, Path dir, int brokers, String heap)
            throws IOException, InterruptedException {
        List<String> flags = new ArrayList<>(KAFKA_JVM_FLAGS.stream()
                .filter(f -> !f.startsWith("-Xms") && !f.startsWith("-Xmx")).toList());
        flags.addAll(List.of("-Xms" + heap, "-Xmx" + heap));
        String brokerProps = System.getProperty("kafka.broker.props");
        if (brokerProps != null) {
            flags.add("-Dkafka.broker.props=" + brokerProps); // broker settings over the defaults, passed on
        }
        Process kafka = startJvm(log, CorePinning.cloud(), flags, "dev.edgeline.benchmarks.KafkaProcessMain",
                dir.toString(), "0", Integer.toString(brokers));
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            if (!kafka.isAlive()) {
                throw new IOException("the Kafka cluster's JVM exited with " + kafka.exitValue() + "; see " + log);
            }
            java.util.Optional<String> ready = java.nio.file.Files.readAllLines(log).stream()
                    .filter(line -> line.startsWith("READY ")).findFirst();
            if (ready.isPresent()) {
                return Map.entry(kafka, ready.get().substring("READY ".length()).trim());
            }
            Thread.sleep(200);
        }
        kafka.destroyForcibly();
        throw new IOException("the Kafka cluster did not start within 3 minutes; see " + log);
    }

    /** Starts {@code main} in a child JVM on this class path with {@code memoryFlags} and quiet logging. */
    static Process startJvm(Path log, List<String> memoryFlags, String main, String... args) throws IOException {
        return startJvm(log, List.of(), memoryFlags, main, args);
    }

    /** As above, the command behind {@code prefix} (such as {@code nice -n -5}). */
    static Process startJvm(Path log, List<String> prefix, List<String> memoryFlags, String main, String... args)
            throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(memoryFlags);
        if (Boolean.getBoolean("bench.gclog")) {
            command.add("-Xlog:gc:file=" + log + ".gc"); // pauses beside the child's log, for reading a latency tail
        }
        if (Boolean.getBoolean("bench.jfr")) { // a profile beside the child's log, for reading where its CPU goes
            command.add("-XX:StartFlightRecording=settings=profile,filename=" + log + ".jfr");
        }
        command.addAll(JvmFlags.services());
        command.addAll(List.of("-Dlogback.configurationFile=edge-logback.xml", "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits until something listens on {@code port}; fails if {@code process} exits first or after 90 s. */
    static void awaitPort(int port, Process process) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("child exited with " + process.exitValue() + " before listening on " + port);
            }
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IOException("nothing listening on " + port + " within 90 s");
    }
}
