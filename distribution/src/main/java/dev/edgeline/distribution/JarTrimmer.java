package dev.edgeline.distribution;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Copies a jar for the device: without the native libraries of other platforms ({@link NativeLibraries}), and with
 * every entry stored uncompressed, so that the release archive's xz compresses across all the classes at once (one
 * class at a time, as a jar's deflate does, finds much less to share: 26 against 62 MB for the whole release). Every
 * entry keeps its name, order, time, extra field and content. A jar whose entries are all stored and that has nothing
 * to drop is copied byte for byte.
 *
 * <p>A signed jar keeps its signature: a signature covers each entry's content and the manifest, not how an entry is
 * compressed. Dropping entries from one is refused.
 */
final class JarTrimmer {
    /** What a copy left out. */
    record Result(List<String> dropped, long bytesBefore, long bytesAfter) {}

    private JarTrimmer() {}

    static Result copy(Path source, Path target, DevicePlatform platform)
            throws IOException, NativeLibraries.UnknownPlatformException {
        List<String> dropped = new ArrayList<>();
        boolean signed = false;
        boolean compressed = false;
        try (ZipFile zip = new ZipFile(source.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String name = entry.getName();
                signed |= name.startsWith("META-INF/") && name.endsWith(".SF");
                compressed |= entry.getMethod() != ZipEntry.STORED;
                if (NativeLibraries.isNative(name)
                        && NativeLibraries.verdict(name, platform) == NativeLibraries.Verdict.DROP) {
                    dropped.add(name);
                }
            }
            if (dropped.isEmpty() && !compressed) {
                Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                return new Result(List.of(), Files.size(source), Files.size(target));
            }
            if (signed && !dropped.isEmpty()) {
                throw new IOException(source.getFileName() + " is signed and carries other platforms' native"
                        + " libraries; trimming it would break its signature");
            }
            try (OutputStream file = Files.newOutputStream(target); ZipOutputStream out = new ZipOutputStream(file)) {
                for (ZipEntry entry : Collections.list(zip.entries())) {
                    if (!dropped.contains(entry.getName())) {
                        copyEntry(zip, entry, out);
                    }
                }
            }
        }
        return new Result(List.copyOf(dropped), Files.size(source), Files.size(target));
    }

    /** Copies one entry, stored: its size and CRC-32 (of the content, whatever the method) are known up front. */
    private static void copyEntry(ZipFile zip, ZipEntry entry, ZipOutputStream out) throws IOException {
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setTime(entry.getTime());
        if (entry.getExtra() != null) {
            copy.setExtra(entry.getExtra());
        }
        copy.setMethod(ZipEntry.STORED);
        copy.setSize(entry.getSize());
        copy.setCompressedSize(entry.getSize());
        copy.setCrc(entry.getCrc());
        out.putNextEntry(copy);
        try (InputStream in = zip.getInputStream(entry)) {
            in.transferTo(out);
        }
        out.closeEntry();
    }
}
