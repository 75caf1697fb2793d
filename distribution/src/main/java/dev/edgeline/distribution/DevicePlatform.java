package dev.edgeline.distribution;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A platform a release is built for: 64-bit Linux with glibc (Debian, Raspberry Pi OS) on one CPU architecture.
 * HiveMQ's RocksDB has no 32-bit ARM build, so those two are all we ship.
 */
enum DevicePlatform {
    X86_64("x86_64", "x86_64|x86-64|amd64|linux64"),
    AARCH64("aarch64", "aarch64|arm64");

    private final String archName;
    private final Pattern archTokens;

    DevicePlatform(String archName, String archTokens) {
        this.archName = archName;
        this.archTokens = Pattern.compile(archTokens);
    }

    /** The name in archive names and in Ansible's {@code ansible_architecture}: x86_64, aarch64. */
    String archName() {
        return archName;
    }

    /** True when a lower-case path names this architecture. */
    boolean namedIn(String lowerCasePath) {
        return archTokens.matcher(lowerCasePath).find();
    }

    static DevicePlatform named(String name) {
        return Arrays.stream(values()).filter(p -> p.archName.equals(name.toLowerCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown architecture '" + name + "' (known: "
                        + Arrays.stream(values()).map(DevicePlatform::archName).toList() + ")"));
    }
}
