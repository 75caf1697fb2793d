package dev.edgeline.broker.security;

import dev.edgeline.config.PemFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Certificates and keys made for a test by the real openssl command line (as an operator would), in PEM: CAs, a
 * server certificate for 127.0.0.1/localhost, client certificates with a given common name; and TLS socket
 * factories built from them for Paho.
 */
public final class TestCertificates {
    private final Path dir;

    public TestCertificates(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    /** A self-signed CA: {@code <name>.pem} and {@code <name>.key}. */
    public TestCertificates ca(String name) throws IOException, InterruptedException {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", file(name + ".key").toString(), "-out", file(name + ".pem").toString(), "-days", "2",
                "-subj", "/CN=" + name);
        return this;
    }

    /** A certificate {@code <name>.pem} with key {@code <name>.key} (PKCS#8), signed by {@code ca}. */
    public TestCertificates signed(String name, String commonName, String ca, boolean server)
            throws IOException, InterruptedException {
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", file(name + ".key").toString(), "-out", file(name + ".csr").toString(),
                "-subj", "/CN=" + commonName);
        Path extensions = file(name + ".ext");
        Files.writeString(extensions, server ? "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                + "extendedKeyUsage=serverAuth\n" : "extendedKeyUsage=clientAuth\n", StandardCharsets.US_ASCII);
        openssl("x509", "-req", "-in", file(name + ".csr").toString(), "-CA", file(ca + ".pem").toString(),
                "-CAkey", file(ca + ".key").toString(), "-CAcreateserial", "-out", file(name + ".pem").toString(),
                "-days", "2", "-extfile", extensions.toString());
        return this;
    }

    /** A TLS socket factory trusting {@code ca}, presenting {@code client} if not null. */
    public SSLSocketFactory socketFactory(String ca, String client) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", PemFiles.certificates(file(ca + ".pem")).getFirst());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (client != null) {
            List<X509Certificate> chain = PemFiles.certificates(file(client + ".pem"));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("client", PemFiles.privateKey(file(client + ".key"), chain.getFirst()),
                    "x".toCharArray(), new ArrayList<Certificate>(chain).toArray(Certificate[]::new));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "x".toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context.getSocketFactory();
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        command.addAll(List.of(args));
        ExternalCommand.run(command);
    }
}
