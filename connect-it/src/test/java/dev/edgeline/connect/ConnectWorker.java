package dev.edgeline.connect;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka Connect worker in standalone mode ({@code ConnectStandalone} of Apache Kafka's connect-runtime, the
 * cluster's version) in a child JVM whose class path is only Connect's and the connectors' jars
 * ({@code target/connect-worker}, copied by the build) and SLF4J with Logback. Its log goes to {@code worker.log}
 * in its directory. Read committed, as the analyst's contract asks.
 */
final class ConnectWorker implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ConnectWorker(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ConnectWorker start(Path dir, String bootstrapServers, Map<String, String> connector) throws IOException {
        Files.createDirectories(dir);
        Properties worker = new Properties();
        worker.put("bootstrap.servers", bootstrapServers);
        worker.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        worker.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        worker.put("value.converter.schemas.enable", "true");
        worker.put("offset.storage.file.filename", dir.resolve("offsets").toString());
        worker.put("offset.flush.interval.ms", "1000");
        worker.put("consumer.isolation.level", "read_committed");
        worker.put("consumer.auto.offset.reset", "earliest");
        worker.put("listeners", "http://127.0.0.1:0");
        worker.put("plugin.discovery", "hybrid_warn");
        Path workerFile = dir.resolve("worker.properties");
        Path connectorFile = dir.resolve("connector.properties");
        try (var out = Files.newBufferedWriter(workerFile)) {
            worker.store(out, "edgeline connect-it worker");
        }
        Properties sink = new Properties();
        sink.putAll(connector);
        try (var out = Files.newBufferedWriter(connectorFile)) {
            sink.store(out, "edgeline connect-it connector");
        }
        Path logback = dir.resolve("logback.xml");
        Files.writeString(logback, """
                <configuration>
                  <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{0} %msg%n</pattern></encoder>
                  </appender>
                  <logger name="io.debezium" level="INFO"/>
                  <logger name="org.apache.kafka.connect.runtime.WorkerSinkTask" level="INFO"/>
                  <root level="WARN"><appender-ref ref="OUT"/></root>
                </configuration>
                """);
        Path log = dir.resolve("worker.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dlogback.configurationFile=" + logback, "-cp", classPath(),
                "org.apache.kafka.connect.cli.ConnectStandalone", workerFile.toString(), connectorFile.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new ConnectWorker(process, log);
    }

    /** Connect's and the connectors' jars, and SLF4J with Logback from this JVM's class path. */
    private static String classPath() throws IOException {
        Path jars = Path.of("target", "connect-worker");
        if (!Files.isDirectory(jars)) {
            throw new IOException(jars.toAbsolutePath() + " is missing: the build copies the worker's jars there"
                    + " (mvn process-test-classes -pl connect-it)");
        }
        List<String> entries = new ArrayList<>(List.of(jars.toAbsolutePath() + File.separator + "*"));
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> {
                    String name = Path.of(entry).getFileName().toString();
                    return name.startsWith("slf4j-api") || name.startsWith("logback-classic")
                            || name.startsWith("logback-core");
                })
                .forEach(entries::add);
        return String.join(File.pathSeparator, entries);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The worker's log so far (for failure messages). */
    String log() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
