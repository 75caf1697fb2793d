package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.appliance.BridgedRecordCollector.Identity;
import dev.edgeline.bridge.CloudBridge;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
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
