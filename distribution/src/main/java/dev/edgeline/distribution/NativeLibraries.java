package dev.edgeline.distribution;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Tells, from its path in a jar, which platform a bundled native library is for. Jars such as rocksdbjni, zstd-jni,
 * snappy-java, lz4-java, JNA and jffi carry a library for every operating system and CPU (rocksdbjni alone 57 MB);
 * a device needs one. A native library whose platform cannot be told from its path is an error: a new dependency's
 * natives are neither shipped blindly nor dropped silently.
 */
final class NativeLibraries {
    private static final Pattern NATIVE = Pattern.compile(".*\\.(so(\\.\\d+)*|dll|dylib|jnilib|a)$");
    /** Other operating systems, and Linux with another C library than Debian's glibc. */
    private static final List<String> FOREIGN_SYSTEMS = List.of("win", "darwin", "osx", "mac/", "mac-", "macos",
            "freebsd", "openbsd", "netbsd", "dragonfly", "sunos", "solaris", "aix", "android", "musl", "alpine");
    /** CPU architectures other than those of {@link DevicePlatform}, checked after them. */
    private static final Pattern OTHER_ARCHITECTURES = Pattern.compile(
            "arm|i386|i686|x86|ppc|s390|mips|loongarch|riscv|sparc|linux32");

    enum Verdict { KEEP, DROP }

    private NativeLibraries() {}

    static boolean isNative(String entryName) {
        return !entryName.endsWith("/") && NATIVE.matcher(entryName.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * KEEP when the native library at {@code entryName} is for {@code target}, DROP when it is for another platform.
     *
     * @throws UnknownPlatformException when the path does not say which platform it is for
     */
    static Verdict verdict(String entryName, DevicePlatform target) throws UnknownPlatformException {
        String path = entryName.toLowerCase(Locale.ROOT);
        if (FOREIGN_SYSTEMS.stream().anyMatch(path::contains)) {
            return Verdict.DROP;
        }
        for (DevicePlatform platform : DevicePlatform.values()) {
            if (platform.namedIn(path)) {
                return platform == target ? Verdict.KEEP : Verdict.DROP;
            }
        }
        if (OTHER_ARCHITECTURES.matcher(path).find()) {
            return Verdict.DROP;
        }
        throw new UnknownPlatformException(entryName);
    }

    /** A native library whose path names no operating system or architecture we know. */
    static final class UnknownPlatformException extends Exception {
        private static final long serialVersionUID = 1L;

        UnknownPlatformException(String entryName) {
            super("cannot tell which platform the native library " + entryName + " is for; add its naming to "
                    + NativeLibraries.class.getSimpleName());
        }
    }
}
