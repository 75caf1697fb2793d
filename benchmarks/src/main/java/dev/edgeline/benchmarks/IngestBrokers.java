package dev.edgeline.benchmarks;

import dev.edgeline.broker.security.ExternalCommand;
import dev.edgeline.broker.security.TestCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;

/**
 * The brokers the ingest benchmarks load: ours (a child process of {@code bin/edge broker}, a fresh spool per start:
 * every PUBACK means fsynced) and Mosquitto (Debian's, on a loopback port), plain or on a TLS listener that asks for
 * the bench user's password (one {@code mosquitto_passwd} file, PBKDF2 at 210,000 iterations, read by both).
 */
final class IngestBrokers {
    static final String USER = "bench";
    static final String PASSWORD = "bench-secret";

    /** A started broker; {@link #stop()} ends it and returns its log. */
    record Broker(String name, Process process, int port, Path log, boolean secure) {
        String uri() {
            return (secure ? "ssl" : "tcp") + "://127.0.0.1:" + port;
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private final Path work;
    private TestCertificates certs;
    private int starts;

    IngestBrokers(Path work) {
        this.work = work;
    }

    /** The CA, server certificate and password file of the secure runs (made once). */
    TestCertificates certificates() throws IOException, InterruptedException {
        if (certs == null) {
            Path secrets = Files.createDirectories(work.resolve("secrets"));
            certs = new TestCertificates(secrets).ca("ca").signed("server", "localhost", "ca", true);
            ExternalCommand.run(List.of("mosquitto_passwd", "-c", "-b", "-I", "210000",
                    certs.file("mqtt.passwd").toString(), USER, PASSWORD));
        }
        return certs;
    }

    /** Our broker, plain or (secure) on a TLS listener that asks for the bench user's password. */
    Broker edge(boolean secure) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("edge-" + (++starts)));
        int port = LocalProcesses.freePort();
        Path config = SimulatedDeviceConfig.writeBrokerOnly(dir, port, "127.0.0.1:9", "readings");
        if (secure) {
            TestCertificates c = certificates();
            String yaml = Files.readString(config).replace("broker: {listener: {port: " + port + "}",
                    "broker: {listener: {port: " + port + ", tls: {cert-file: " + c.file("server.pem")
                            + ", key-file: " + c.file("server.key") + "}}, auth: {password-file: "
                            + c.file("mqtt.passwd") + ", clients: [{user: " + USER + ", publish: [\"edge/#\"], "
                            + "identity: trusted}]}");
            Files.writeString(config, yaml);
        }
        Path log = dir.resolve("edge-broker.log");
        Process process = LocalProcesses.startBroker(log, "--config", config.toString(), "--data-dir", dir.toString());
        LocalProcesses.awaitPort(port, process);
        return new Broker("edge", process, port, log, secure);
    }

    /**
     * Mosquitto; with {@code persistence} it keeps its store in this run's directory (written at its autosave
     * interval and at exit, not before each PUBACK: Mosquitto's acknowledgements do not mean stored).
     */
    Broker mosquitto(boolean secure, boolean persistence) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("mosquitto-" + (++starts)));
        int port = LocalProcesses.freePort();
        Path config = dir.resolve("mosquitto.conf");
        String security = "allow_anonymous true\n";
        if (secure) {
            TestCertificates c = certificates();
            security = "allow_anonymous false\npassword_file " + c.file("mqtt.passwd") + "\ncertfile "
                    + c.file("server.pem") + "\nkeyfile " + c.file("server.key") + "\n";
        }
        // user root: as root, mosquitto would switch to its own user, which cannot read this run's 0700 directory.
        Files.writeString(config, "user root\nlistener " + port + " 127.0.0.1\n" + security
                + (persistence ? "persistence true\npersistence_location " + dir + "/\n" : "persistence false\n")
                + "max_queued_messages 100000\nmax_inflight_messages 0\n", StandardCharsets.UTF_8);
        Path log = dir.resolve("mosquitto.log");
        Process process = new ProcessBuilder("/usr/sbin/mosquitto", "-c", config.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        LocalProcesses.awaitPort(port, process);
        return new Broker("mosquitto", process, port, log, secure);
    }

    /** MQTT 5 connect options for a secure broker: its TLS listener, the bench user and password. */
    static Consumer<MqttConnectionOptions> login(SSLSocketFactory tls) {
        return options -> {
            options.setSocketFactory(tls);
            options.setUserName(USER);
            options.setPassword(PASSWORD.getBytes(StandardCharsets.UTF_8));
        };
    }

    static String mosquittoVersion() {
        try {
            Process p = new ProcessBuilder("/usr/sbin/mosquitto", "-h").redirectErrorStream(true).start();
            String first = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().findFirst()
                    .orElse("");
            p.waitFor(5, TimeUnit.SECONDS);
            return first.replaceAll(".*version ([0-9.]+).*", "$1");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }
}
