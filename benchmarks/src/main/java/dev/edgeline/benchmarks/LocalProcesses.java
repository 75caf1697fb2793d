package dev.edgeline.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Loopback ports and child JVMs (our broker, Kafka) for the harnesses. */
final class LocalProcesses {
    private LocalProcesses() {}

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Starts {@code main} in a child JVM on this classpath, quiet logging, output to {@code log}. */
    static Process startJvm(Path log, String main, String... args) throws IOException {
        return startJvm(log, List.of("-Xmx512m"), main, args);
    }

    /** As {@link #startJvm(Path, String, String...)} with these memory flags instead of a 512 MB heap. */
    static Process startJvm(Path log, List<String> memoryFlags, String main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(memoryFlags);
        command.addAll(List.of("-Dchronicle.analytics.disable=true", "-Dlogback.configurationFile=edge-logback.xml",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), main));
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
