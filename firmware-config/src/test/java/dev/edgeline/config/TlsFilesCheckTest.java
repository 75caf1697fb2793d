package dev.edgeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device's configuration check reads the TLS files, so that a certificate or key the broker or the bridge could
 * not use stops the check on the device (before anything is restarted) rather than the service at its start. Real
 * files, made by openssl and the JDK's keytool as an operator would.
 */
class TlsFilesCheckTest {
    private static final Path BASE = Path.of("/var/lib/edge");

    @TempDir
    Path dir;

    private Path cert;
    private Path key;

    @BeforeEach
    void serverCertificate() throws Exception {
        cert = dir.resolve("mqtt-server.crt");
        key = dir.resolve("mqtt-server.key");
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "30", "-subj", "/CN=pi-0042.lan");
    }

    @Test
    void aMatchingCertificateAndKey_pass() throws Exception {
        assertThat(parse(listener(cert, key)).broker().listeners().get(1).tls()).isPresent();
    }

    @Test
    void aKeyThatIsNotTheCertificates_isAnErrorOnKeyFile() throws Exception {
        Path otherKey = dir.resolve("other.key");
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                otherKey.toString());
        assertThatThrownBy(() -> parse(listener(cert, otherKey))).isInstanceOfSatisfying(InvalidConfigException.class,
                e -> assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                        "broker.listeners[1].tls.key-file: " + otherKey
                                + " is not the private key of the certificate CN=pi-0042.lan"));
    }

    @Test
    void aFileThatIsNoCertificate_andAKeyInTheOldForm_areErrorsSayingWhatToDo() throws Exception {
        Path notACert = Files.writeString(dir.resolve("broken.crt"), "-----BEGIN CERTIFICATE-----\nAAAA\n");
        assertThatThrownBy(() -> parse(listener(notACert, key))).isInstanceOfSatisfying(InvalidConfigException.class,
                e -> assertThat(e.errors()).extracting(ConfigError::toString).singleElement().asString()
                        .startsWith("broker.listeners[1].tls.cert-file: " + notACert + " is not a PEM certificate file"));

        Path sec1 = dir.resolve("sec1.key");
        run("openssl", "ec", "-in", key.toString(), "-out", sec1.toString());
        assertThat(Files.readString(sec1)).contains("BEGIN EC PRIVATE KEY");
        assertThatThrownBy(() -> parse(listener(cert, sec1))).isInstanceOfSatisfying(InvalidConfigException.class,
                e -> assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                        "broker.listeners[1].tls.key-file: " + sec1 + " holds no PKCS#8 PEM private key "
                                + "(-----BEGIN PRIVATE KEY-----) (it is in the older SEC1/PKCS#1 form; convert it: "
                                + "openssl pkcs8 -topk8 -nocrypt -in " + sec1 + " -out pkcs8.key)"));
    }

    @Test
    void anExpiredCertificate_isAnErrorOnCertFile() throws Exception {
        Path keystore = dir.resolve("expired.p12");
        run(javaTool("keytool"), "-genkeypair", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-alias", "old", "-keyalg", "EC", "-dname", "CN=old.lan", "-startdate", "2020/01/01 00:00:00",
                "-validity", "30");
        Path expired = dir.resolve("expired.crt");
        run(javaTool("keytool"), "-exportcert", "-rfc", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-alias", "old", "-file", expired.toString());
        assertThatThrownBy(() -> parse(listener(expired, key))).isInstanceOfSatisfying(InvalidConfigException.class,
                e -> assertThat(e.errors()).extracting(ConfigError::toString).containsExactly(
                        "broker.listeners[1].tls.cert-file: " + expired + " holds a certificate (CN=old.lan) that "
                                + "expired on 2020-01-31T00:00:00Z; clients refuse it: issue a new one"));
    }

    @Test
    void theBridgesClientCertificateAndCa_areCheckedTheSameWay() throws Exception {
        Path otherKey = dir.resolve("other.key");
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out",
                otherKey.toString());
        Path notACa = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        String yaml = minimal().replace("  routes:\n", "  security: {protocol: SSL, ca-file: " + notACa
                + ", client-cert-file: " + cert + ", client-key-file: " + otherKey + "}\n  routes:\n");
        assertThatThrownBy(() -> parse(yaml)).isInstanceOfSatisfying(InvalidConfigException.class, e ->
                assertThat(e.errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
                        "kafka.security.ca-file: " + notACa + " is not a PEM certificate file: No certificate data found",
                        "kafka.security.client-key-file: " + otherKey
                                + " is not the private key of the certificate CN=pi-0042.lan"));
    }

    private String listener(Path certFile, Path keyFile) {
        return minimal().replace("spool:\n", """
                broker:
                  listeners:
                    - {host: 127.0.0.1, port: 1883}
                    - name: lan
                      host: 0.0.0.0
                      port: 8883
                      insecure: true
                      tls: {cert-file: %s, key-file: %s}
                spool:
                """.formatted(certFile, keyFile));
    }

    private static String minimal() {
        return ConfigLoaderTest.MINIMAL.replace("kafka-1.example:9093,kafka-2.example:9093", "kafka-1.example:9093");
    }

    private static DeviceConfig parse(String yaml) throws InvalidConfigException {
        return ConfigLoader.parse(Path.of("device.yaml"), yaml, BASE);
    }

    private static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + output).isZero();
    }
}
