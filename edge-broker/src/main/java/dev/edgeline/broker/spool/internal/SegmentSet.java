package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The segment files of a spool directory, keyed by base position (the spool position of the segment's first byte;
 * the file is named by it, zero-padded to 20 digits, {@code .seg}). Thread-safe: the writer adds and removes,
 * readers look up.
 */
public final class SegmentSet {
    private static final String SUFFIX = ".seg";
    private final Path directory;
    private final ConcurrentSkipListMap<Long, Path> segments = new ConcurrentSkipListMap<>();

    public SegmentSet(Path directory) throws IOException {
        this.directory = directory;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String digits = name.substring(0, name.length() - SUFFIX.length());
                if (!digits.matches("\\d{20}")) {
                    throw new IOException("unexpected file in spool directory: " + file);
                }
                segments.put(Long.parseLong(digits), file);
            }
        }
    }

    public Path pathFor(long base) {
        return directory.resolve(String.format("%020d%s", base, SUFFIX));
    }

    public void add(long base) {
        segments.put(base, pathFor(base));
    }

    public void remove(long base) {
        segments.remove(base);
    }

    public boolean isEmpty() {
        return segments.isEmpty();
    }

    /** The segment containing {@code position}: the one with the greatest base at or below it. */
    public Map.Entry<Long, Path> floor(long position) {
        return segments.floorEntry(position);
    }

    /** The first segment whose base is above {@code position}, or null. */
    public Map.Entry<Long, Path> higher(long position) {
        return segments.higherEntry(position);
    }

    public Map.Entry<Long, Path> first() {
        return segments.firstEntry();
    }

    public Map.Entry<Long, Path> last() {
        return segments.lastEntry();
    }

    public NavigableMap<Long, Path> view() {
        return segments;
    }
}
