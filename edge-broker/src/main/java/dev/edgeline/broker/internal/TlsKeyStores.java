package dev.edgeline.broker.internal;

import dev.edgeline.config.BrokerConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a listener's PEM files (what operators and Ansible deploy) into the PKCS#12 key store and trust store HiveMQ
 * reads. Written at every start into the broker's {@code conf/tls} directory, mode 0600, with a fresh random
 * password that only the generated {@code config.xml} (also 0600) holds. Every problem names the file and says
 * how to fix it.
 */
public final class TlsKeyStores {
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private TlsKeyStores() {}

    /** Paths and the password of one listener's stores. */
    public record Stores(Path keyStore, Optional<Path> trustStore, String password) {}

    public static Stores write(Path directory, BrokerConfig.Listener listener) throws IOException {
        BrokerConfig.ListenerTls tls = listener.tls().orElseThrow();
        Files.createDirectories(directory);
        String password = randomPassword();
        List<X509Certificate> chain = certificates(tls.certFile());
        PrivateKey key = privateKey(tls.keyFile(), chain.getFirst());
        try {
            KeyStore keyStore = KeyStore.getInstance("PKCS12");
            keyStore.load(null, null);
            keyStore.setKeyEntry("broker", key, password.toCharArray(), chain.toArray(Certificate[]::new));
            Path keyStorePath = directory.resolve(listener.name() + "-keystore.p12");
            store(keyStore, keyStorePath, password);
            Optional<Path> trustStorePath = Optional.empty();
            if (tls.clientCaFile().isPresent()) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                List<X509Certificate> cas = certificates(tls.clientCaFile().get());
                for (int i = 0; i < cas.size(); i++) {
                    trust.setCertificateEntry("client-ca-" + i, cas.get(i));
                }
                trustStorePath = Optional.of(directory.resolve(listener.name() + "-truststore.p12"));
                store(trust, trustStorePath.get(), password);
            }
            return new Stores(keyStorePath, trustStorePath, password);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build the TLS key store of listener " + listener.name() + " from "
                    + tls.certFile() + " and " + tls.keyFile() + ": " + e.getMessage(), e);
        }
    }

    /** The certificates of a PEM file, in file order. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes));
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : read) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IOException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    /** The PKCS#8 private key of a PEM file; it must belong to {@code certificate}. */
    public static PrivateKey privateKey(Path file, X509Certificate certificate) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        if (text.contains("ENCRYPTED PRIVATE KEY")) {
            throw new IOException(file + " is an encrypted key; the broker needs it unencrypted (mode 0600): "
                    + "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out broker.key");
        }
        Matcher matcher = PEM_KEY.matcher(text);
        if (!matcher.find()) {
            String hint = text.contains("BEGIN EC PRIVATE KEY") || text.contains("BEGIN RSA PRIVATE KEY")
                    ? " (it is in the older SEC1/PKCS#1 form; convert it: openssl pkcs8 -topk8 -nocrypt -in " + file
                    + " -out broker.key)" : "";
            throw new IOException(file + " holds no PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)" + hint);
        }
        byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
        String algorithm = certificate.getPublicKey().getAlgorithm();
        try {
            PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            if (!matches(key, certificate)) {
                throw new IOException(file + " is not the private key of the certificate "
                        + certificate.getSubjectX500Principal().getName());
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a " + algorithm + " private key (the certificate's algorithm): "
                    + e.getMessage(), e);
        }
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        byte[] probe = "edgeline key check".getBytes(StandardCharsets.US_ASCII);
        var signer = java.security.Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        var verifier = java.security.Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        return verifier.verify(signature);
    }

    private static void store(KeyStore keyStore, Path path, String password) throws IOException,
            GeneralSecurityException {
        Files.deleteIfExists(path);
        Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.TRUNCATE_EXISTING)) {
            keyStore.store(out, password.toCharArray());
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
