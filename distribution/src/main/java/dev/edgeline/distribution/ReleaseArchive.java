package dev.edgeline.distribution;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a .tar.gz in which every entry is owned by root and carries one fixed time, so that the same files give
 * the same archive. Directories 0755, files 0644, symbolic links as links.
 */
final class ReleaseArchive implements AutoCloseable {
    private final TarArchiveOutputStream tar;
    private final Instant time;

    ReleaseArchive(Path file, Instant time) throws IOException {
        OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16);
        this.tar = new TarArchiveOutputStream(out);
        this.tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        this.time = time;
    }

    void directory(String name) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
        entry.setMode(040755);
        put(entry, null);
    }

    void file(String name, Path content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(Files.size(content));
        entry.setMode(0100644);
        put(entry, content);
    }

    void symlink(String name, String target) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        entry.setLinkName(target);
        entry.setMode(0120777);
        put(entry, null);
    }

    private void put(TarArchiveEntry entry, Path content) throws IOException {
        entry.setModTime(time.toEpochMilli());
        entry.setIds(0, 0);
        entry.setNames("root", "root");
        tar.putArchiveEntry(entry);
        if (content != null) {
            Files.copy(content, tar);
        }
        tar.closeArchiveEntry();
    }

    @Override
    public void close() throws IOException {
        tar.finish();
        tar.close();
    }
}
