package dev.edgeline.distribution;

import static dev.edgeline.distribution.NativeLibraries.Verdict.DROP;
import static dev.edgeline.distribution.NativeLibraries.Verdict.KEEP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Entry names as they are in the jars of the device's class path (rocksdbjni, zstd-jni, snappy, lz4, JNA, jffi, Pi4J). */
class NativeLibrariesTest {
    private static final List<String> X86_64_GLIBC = List.of("librocksdbjni-linux64.so",
            "linux/amd64/libzstd-jni-1.5.6-10.so", "org/xerial/snappy/native/Linux/x86_64/libsnappyjava.so",
            "net/jpountz/util/linux/amd64/liblz4-java.so", "com/sun/jna/linux-x86-64/libjnidispatch.so",
            "jni/x86_64-Linux/libjffi-1.2.so");
    private static final List<String> AARCH64_GLIBC = List.of("librocksdbjni-linux-aarch64.so",
            "linux/aarch64/libzstd-jni-1.5.6-10.so", "org/xerial/snappy/native/Linux/aarch64/libsnappyjava.so",
            "net/jpountz/util/linux/aarch64/liblz4-java.so", "com/sun/jna/linux-aarch64/libjnidispatch.so",
            "jni/aarch64-Linux/libjffi-1.2.so", "lib/aarch64/pi4j-gpiod/libgpiod.so");
    private static final List<String> NEITHER = List.of("librocksdbjni-linux64-musl.so",
            "librocksdbjni-linux-aarch64-musl.so", "librocksdbjni-linux32.so", "librocksdbjni-osx-arm64.jnilib",
            "librocksdbjni-win64.dll", "librocksdbjni-linux-ppc64le.so", "linux/arm/libzstd-jni-1.5.6-10.so",
            "darwin/x86_64/libzstd-jni-1.5.6-10.dylib", "freebsd/amd64/libzstd-jni-1.5.6-10.so",
            "linux/riscv64/libzstd-jni-1.5.6-10.so", "win/amd64/libzstd-jni-1.5.6-10.dll",
            "org/xerial/snappy/native/Linux/android-aarch64/libsnappyjava.so",
            "org/xerial/snappy/native/Linux/armv7/libsnappyjava.so", "org/xerial/snappy/native/Mac/x86_64/libsnappyjava.dylib",
            "org/xerial/snappy/native/AIX/ppc64/libsnappyjava.a", "com/sun/jna/sunos-x86-64/libjnidispatch.so",
            "com/sun/jna/openbsd-x86-64/libjnidispatch.so", "com/sun/jna/dragonflybsd-x86-64/libjnidispatch.so",
            "com/sun/jna/linux-armel/libjnidispatch.so", "com/sun/jna/linux-loongarch64/libjnidispatch.so",
            "jni/x86_64-Windows/jffi-1.2.dll", "jni/Darwin/libjffi-1.2.jnilib", "jni/aarch64-FreeBSD/libjffi-1.2.so",
            "jni/sparcv9-Linux/libjffi-1.2.so", "jni/i386-Linux/libjffi-1.2.so", "lib/armhf/pi4j-gpiod/libgpiod.so");

    @Test
    void eachPlatformKeepsItsOwnGlibcLibraries_andDropsEveryOtherOne() throws Exception {
        for (String entry : X86_64_GLIBC) {
            assertThat(NativeLibraries.verdict(entry, DevicePlatform.X86_64)).as(entry).isEqualTo(KEEP);
            assertThat(NativeLibraries.verdict(entry, DevicePlatform.AARCH64)).as(entry).isEqualTo(DROP);
        }
        for (String entry : AARCH64_GLIBC) {
            assertThat(NativeLibraries.verdict(entry, DevicePlatform.AARCH64)).as(entry).isEqualTo(KEEP);
            assertThat(NativeLibraries.verdict(entry, DevicePlatform.X86_64)).as(entry).isEqualTo(DROP);
        }
        for (String entry : NEITHER) {
            for (DevicePlatform platform : DevicePlatform.values()) {
                assertThat(NativeLibraries.verdict(entry, platform)).as(entry + " on " + platform).isEqualTo(DROP);
            }
        }
    }

    @Test
    void onlyLibrariesCountAsNative() {
        assertThat(NativeLibraries.isNative("librocksdbjni-linux64.so")).isTrue();
        assertThat(NativeLibraries.isNative("lib/libfoo.so.1.2")).isTrue();
        assertThat(NativeLibraries.isNative("org/rocksdb/RocksDB.class")).isFalse();
        assertThat(NativeLibraries.isNative("META-INF/native-image/x86_64/")).isFalse();
        assertThat(NativeLibraries.isNative("org/xerial/snappy/VERSION")).isFalse();
    }

    @Test
    void aLibraryWhosePlatformCannotBeTold_isAnErrorNamingIt() {
        assertThatThrownBy(() -> NativeLibraries.verdict("native/libmystery.so", DevicePlatform.X86_64))
                .isInstanceOf(NativeLibraries.UnknownPlatformException.class)
                .hasMessageContaining("native/libmystery.so");
    }
}
