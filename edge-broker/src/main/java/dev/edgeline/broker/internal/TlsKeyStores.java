package dev.edgeline.broker.internal;

import dev.edgeline.config.BrokerConfig;
import dev.edgeline.config.PemFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Turns a listener's PEM files (what operators and Ansible deploy) into the PKCS#12 key store and trust store HiveMQ
 * reads. Written at every start into the broker's {@code conf/tls} directory, mode 0600, with a fresh random
 * password that only the generated {@code config.xml} (also 0600) holds. Every problem names the file and says
 * how to fix it.
 */
public final class TlsKeyStores {
    private static final SecureRandom RANDOM = new SecureRandom();
    private TlsKeyStores() {}

    /** Paths and the password of one listener's stores. */
    public record Stores(Path keyStore, Optional<Path> trustStore, String password) {}

    public static Stores write(Path directory, BrokerConfig.Listener listener) throws IOException {
        BrokerConfig.ListenerTls tls = listener.tls().orElseThrow();
        Files.createDirectories(directory);
        String password = randomPassword();
        List<X509Certificate> chain = PemFiles.certificates(tls.certFile());
        PrivateKey key = PemFiles.privateKey(tls.keyFile(), chain.getFirst());
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
                List<X509Certificate> cas = PemFiles.certificates(tls.clientCaFile().get());
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
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
