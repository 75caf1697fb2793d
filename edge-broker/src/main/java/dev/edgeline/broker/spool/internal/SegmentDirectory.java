package dev.edgeline.broker.spool.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Names and lists the segment files of one lane directory. A segment is named by its base position (the lane
 * position of its first byte), zero-padded to 20 digits, with the suffix {@code .seg}. Stateless.
 */
public final class SegmentDirectory {
    private static final String SUFFIX = ".seg";

    private SegmentDirectory() {}

    public static Path pathFor(Path laneDirectory, long base) {
        return laneDirectory.resolve(String.format("%020d%s", base, SUFFIX));
    }

    /** Base positions of the segments present, ascending. */
    public static List<Long> list(Path laneDirectory) throws IOException {
        List<Long> bases = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(laneDirectory, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String digits = name.substring(0, name.length() - SUFFIX.length());
                if (!digits.matches("\\d{20}")) {
                    throw new IOException("unexpected file in spool lane directory: " + file);
                }
                bases.add(Long.parseLong(digits));
            }
        }
        bases.sort(null);
        return bases;
    }
}
