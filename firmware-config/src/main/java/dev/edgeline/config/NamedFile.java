package dev.edgeline.config;

import java.nio.file.Path;
import java.util.Set;

/**
 * A file a device's configuration names (a certificate, a key, a password file, a token), where ({@code key}, the
 * configuration path such as {@code kafka.security.password-file}) and which services read it. Provisioning makes
 * each such file readable by exactly those services' users ({@code provisioning.json}'s {@code files}).
 */
public record NamedFile(String key, Path path, Set<DeviceService> readers) {
    public NamedFile {
        readers = Set.copyOf(readers);
    }
}
