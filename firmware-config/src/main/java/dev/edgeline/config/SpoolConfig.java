package dev.edgeline.config;

import java.nio.file.Path;

/**
 * The durable store-and-forward spool.
 *
 * @param directory    where the segment files, the reader cursor and the dedup index live
 * @param segmentBytes size at which a segment file is closed and a new one started
 */
public record SpoolConfig(Path directory, long segmentBytes) {}
