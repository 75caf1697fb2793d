package dev.edgeline.appliance;

import dev.edgeline.kafka.embedded.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A single-node Kafka in a child JVM, so that a test can freeze it (SIGSTOP) as a hung broker or a stalled network
 * would, and thaw it (SIGCONT). {@link #main} is the child: {@code <log dir> <port>}, prints READY.
 */
final class KafkaChild implements AutoCloseable {
    private final Process process;
    private final int port;

    private KafkaChild(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static void main(String[] args) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start(Path.of(args[0]), Integer.parseInt(args[1]))) {
            System.out.println("READY " + kafka.bootstrapServers());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    static KafkaChild start(Path logDirectory, Path log) throws IOException {
        int port = TestDevice.freePort();
        Process process = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-Dlogback.configurationFile=edge-logback.xml", "-cp",
                System.getProperty("java.class.path"), KafkaChild.class.getName(), logDirectory.toString(),
                Integer.toString(port)))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine(); // blocks until READY or the child's end
        if (line == null || !line.startsWith("READY")) {
            process.destroyForcibly();
            throw new IOException("the Kafka child did not start (see " + log + ")");
        }
        return new KafkaChild(process, port);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() throws Exception {
        signal("CONT");
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
