package dev.edgeline.config;

import dev.edgeline.config.internal.YamlMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The files a configuration names (certificates, keys, password files, tokens): each is remembered as a
 * {@link NamedFile} with the services that read it, and, for the services being checked, must exist, be readable by
 * this user and be well formed (what a service would otherwise find out only when it starts).
 */
final class ConfigFiles {
    private final Path base;
    /** The services whose files are checked (exist, readable by this user, well formed). */
    private final Set<DeviceService> checked;
    /** Every file the config names, with the services that read it, in the order read. */
    private final List<NamedFile> named = new ArrayList<>();

    ConfigFiles(Path base, Set<DeviceService> checked) {
        this.base = base;
        this.checked = Set.copyOf(checked);
    }

    /** Whether the files {@code service} reads are checked. */
    boolean checks(DeviceService service) {
        return checked.contains(service);
    }

    /** Every file named so far. */
    List<NamedFile> named() {
        return List.copyOf(named);
    }

    /**
     * A file that {@code readers} read, which must exist and be readable now by whoever checks a reader's files
     * (checked here so that a service never fails on it at start). Remembered as a {@link NamedFile}.
     */
    Optional<Path> readableFile(YamlMap m, String key, DeviceService... readers) {
        boolean required = m.declaration(key).required();
        if (!required && !m.has(key)) {
            return Optional.empty();
        }
        Path file = m.directory(key, base);
        if (!m.has(key)) {
            return Optional.empty();
        }
        Set<DeviceService> readBy = Set.of(readers);
        named.add(new NamedFile(m.child(key), file, readBy));
        if (readBy.stream().noneMatch(checked::contains)) {
            return Optional.of(file);
        }
        if (!Files.isRegularFile(file)) {
            m.error(key, file + " does not exist or is not a file");
        } else if (!Files.isReadable(file)) {
            m.error(key, file + " is not readable by this user");
        }
        return Optional.of(file);
    }

    /**
     * With the files checked: the certificate parses and has not expired, and the key is its private key (what the
     * service would find out only when it starts).
     */
    void checkCertificateAndKey(YamlMap m, DeviceService reader, String certKey, Optional<Path> cert,
                                        String keyKey, Optional<Path> key) {
        if (!checked.contains(reader) || cert.isEmpty() || !isReadableFile(cert.get())) {
            return;
        }
        java.security.cert.X509Certificate leaf;
        try {
            leaf = PemFiles.certificates(cert.get()).getFirst();
            PemFiles.requireNotExpired(cert.get(), leaf, java.time.Instant.now());
        } catch (IOException e) {
            m.error(certKey, e.getMessage());
            return;
        }
        if (key.isPresent() && isReadableFile(key.get())) {
            try {
                PemFiles.privateKey(key.get(), leaf);
            } catch (IOException e) {
                m.error(keyKey, e.getMessage());
            }
        }
    }

    /** With the files checked: a PEM file of CA certificates that parses. */
    void checkCertificates(YamlMap m, DeviceService reader, String key, Path file) {
        if (!checked.contains(reader) || !isReadableFile(file)) {
            return;
        }
        try {
            PemFiles.certificates(file);
        } catch (IOException e) {
            m.error(key, e.getMessage());
        }
    }

    private static boolean isReadableFile(Path file) {
        return Files.isRegularFile(file) && Files.isReadable(file);
    }
}
