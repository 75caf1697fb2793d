package dev.edgeline.distribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JarTrimmerTest {
    @TempDir
    Path dir;

    @Test
    void otherPlatformsLibrariesAreLeftOut_andEverythingElseIsKeptInOrderWithItsContent() throws Exception {
        Path jar = jar("natives.jar", List.of("META-INF/MANIFEST.MF", "org/x/Loader.class",
                "linux/amd64/libx.so", "linux/aarch64/libx.so", "darwin/x86_64/libx.dylib", "win/amd64/x.dll",
                "org/x/VERSION"), true);
        JarTrimmer.Result result = JarTrimmer.copy(jar, dir.resolve("out.jar"), DevicePlatform.AARCH64);

        assertThat(result.dropped()).containsExactly("linux/amd64/libx.so", "darwin/x86_64/libx.dylib", "win/amd64/x.dll");
        try (ZipFile trimmed = new ZipFile(dir.resolve("out.jar").toFile())) {
            assertThat(Collections.list(trimmed.entries())).extracting(ZipEntry::getName).containsExactly(
                    "META-INF/MANIFEST.MF", "org/x/Loader.class", "linux/aarch64/libx.so", "org/x/VERSION");
            for (ZipEntry entry : Collections.list(trimmed.entries())) {
                assertThat(new String(trimmed.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("content of " + entry.getName());
            }
            assertThat(Collections.list(trimmed.entries())).extracting(ZipEntry::getMethod).as("every entry stored")
                    .containsOnly(ZipEntry.STORED);
        }
        assertThat(result.bytesAfter()).isLessThan(result.bytesBefore());
    }

    @Test
    void aCompressedJarWithNothingToLeaveOut_isStored_withTheSameContent() throws Exception {
        Path jar = jar("plain.jar", List.of("META-INF/MANIFEST.MF", "org/x/A.class"), false);
        JarTrimmer.Result result = JarTrimmer.copy(jar, dir.resolve("copy.jar"), DevicePlatform.X86_64);
        assertThat(result.dropped()).isEmpty();
        try (ZipFile copy = new ZipFile(dir.resolve("copy.jar").toFile())) {
            assertThat(Collections.list(copy.entries())).extracting(ZipEntry::getName, ZipEntry::getMethod)
                    .containsExactly(tuple("META-INF/MANIFEST.MF", ZipEntry.STORED), tuple("org/x/A.class", ZipEntry.STORED));
            assertThat(copy.getInputStream(copy.getEntry("org/x/A.class")).readAllBytes())
                    .isEqualTo("content of org/x/A.class".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aStoredJarWithNothingToLeaveOut_isCopiedByteForByte() throws Exception {
        Path jar = jar("plain.jar", List.of("org/x/A.class", "org/x/B.class"), true);
        JarTrimmer.copy(jar, dir.resolve("copy.jar"), DevicePlatform.X86_64);
        assertThat(Files.readAllBytes(dir.resolve("copy.jar"))).isEqualTo(Files.readAllBytes(jar));
    }

    /** Signed with the JDK's keytool and jarsigner, as BouncyCastle, eclipse-collections and Paho are. */
    @Test
    void aSignedJar_storedUncompressed_stillVerifies() throws Exception {
        Path jar = jar("signed.jar", List.of("org/x/A.class", "org/x/B.class", "org/x/VERSION"), false);
        Path keystore = dir.resolve("signer.p12");
        run("keytool", "-genkeypair", "-keystore", keystore.toString(), "-storepass", "changeit", "-alias", "signer",
                "-keyalg", "EC", "-dname", "CN=edgeline test signer", "-validity", "2");
        run("jarsigner", "-keystore", keystore.toString(), "-storepass", "changeit", jar.toString(), "signer");
        Path stored = dir.resolve("stored.jar");

        JarTrimmer.copy(jar, stored, DevicePlatform.X86_64);

        try (java.util.jar.JarFile verified = new java.util.jar.JarFile(stored.toFile(), true)) {
            for (java.util.jar.JarEntry entry : Collections.list(verified.entries())) {
                assertThat(entry.getMethod()).isEqualTo(ZipEntry.STORED);
                byte[] content = verified.getInputStream(entry).readAllBytes(); // a digest mismatch throws here
                if (entry.getName().startsWith("org/")) {
                    assertThat(entry.getCodeSigners()).as(entry.getName() + " still signed").isNotEmpty();
                    assertThat(new String(content, StandardCharsets.UTF_8)).isEqualTo("content of " + entry.getName());
                }
            }
        }
        assertThat(run("jarsigner", "-verify", stored.toString())).contains("jar verified");
    }

    private static String run(String tool, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", tool).toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(tool + " said: " + output).isZero();
        return output;
    }

    @Test
    void aSignedJarIsNotTrimmed() throws Exception {
        Path jar = jar("signed.jar", List.of("META-INF/MANIFEST.MF", "META-INF/SIGNER.SF", "linux/arm/libx.so"), false);
        assertThatThrownBy(() -> JarTrimmer.copy(jar, dir.resolve("s.jar"), DevicePlatform.X86_64))
                .isInstanceOf(IOException.class).hasMessageContaining("signed.jar is signed");
    }

    @Test
    void aLibraryOfAnUnknownPlatformStopsTheBuild() throws Exception {
        Path jar = jar("odd.jar", List.of("native/libodd.so"), false);
        assertThatThrownBy(() -> JarTrimmer.copy(jar, dir.resolve("o.jar"), DevicePlatform.X86_64))
                .isInstanceOf(NativeLibraries.UnknownPlatformException.class).hasMessageContaining("native/libodd.so");
    }

    /** A jar whose entries hold "content of NAME"; with {@code storeClasses}, .class entries are STORED. */
    private Path jar(String name, List<String> entries, boolean storeClasses) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar); ZipOutputStream out = new ZipOutputStream(file)) {
            for (String entryName : entries) {
                byte[] content = ("content of " + entryName).getBytes(StandardCharsets.UTF_8);
                ZipEntry entry = new ZipEntry(entryName);
                if (storeClasses && entryName.endsWith(".class")) {
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(content.length);
                    entry.setCrc(crc.getValue());
                }
                out.putNextEntry(entry);
                out.write(content);
                out.closeEntry();
            }
        }
        return jar;
    }
}
