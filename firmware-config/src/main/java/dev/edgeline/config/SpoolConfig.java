package dev.edgeline.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The durable store-and-forward spool.
 *
 * @param directory    where the lanes' segment files, the reader cursors and the dedup index live
 * @param segmentBytes size at which a segment file is closed and a new one started
 * @param budgetBytes  most bytes all lanes together may hold on disk
 * @param lanes        priority lanes, highest priority first; readers drain higher lanes first
 * @param blockTimeout how long an append to a full {@link FullPolicy#BLOCK} lane waits for room before it is refused
 * @param streamLimits how many streams the spool keeps marks for, in all and per device
 */
public record SpoolConfig(Path directory, long segmentBytes, long budgetBytes, List<Lane> lanes,
                          Duration blockTimeout, StreamLimits streamLimits) {

    /** A spool with the default stream limits. */
    public SpoolConfig(Path directory, long segmentBytes, long budgetBytes, List<Lane> lanes, Duration blockTimeout) {
        this(directory, segmentBytes, budgetBytes, lanes, blockTimeout, StreamLimits.defaults());
    }

    /**
     * Most streams the spool accepts: every stream costs a mark in memory (its device and stream names and two
     * longs) that is kept for good, so a client publishing to ever new topics must meet a bound. A record of a new
     * stream beyond either limit is refused (MQTT 5: 0x97 quota exceeded) and reported on the broker's health stream.
     */
    public record StreamLimits(int total, int perDevice) {
        public static final int DEFAULT_TOTAL = ConfigSchema.key("spool.max-streams").defaultInt();
        public static final int DEFAULT_PER_DEVICE = ConfigSchema.key("spool.max-streams-per-device").defaultInt();

        public static StreamLimits defaults() {
            return new StreamLimits(DEFAULT_TOTAL, DEFAULT_PER_DEVICE);
        }
    }

    public SpoolConfig {
        lanes = List.copyOf(lanes);
        if (lanes.isEmpty()) {
            throw new IllegalArgumentException("a spool needs at least one lane");
        }
    }

    /** A spool with one lane holding everything ({@code telemetry}, blocking when full): for tests and tools. */
    public static SpoolConfig singleLane(Path directory, long segmentBytes, long budgetBytes) {
        return new SpoolConfig(directory, segmentBytes, budgetBytes,
                List.of(new Lane(DEFAULT_LANE, budgetBytes, FullPolicy.BLOCK)),
                ConfigSchema.key("spool.block-timeout").defaultDuration());
    }

    /** Name of the lane used when the configuration names none. */
    public static final String DEFAULT_LANE = "telemetry";

    public Optional<Lane> lane(String name) {
        return lanes.stream().filter(l -> l.name().equals(name)).findFirst();
    }

    /**
     * One priority lane.
     *
     * @param name        lane name, {@code [a-z][a-z0-9_-]*}
     * @param budgetBytes most bytes this lane may hold on disk
     * @param whenFull    what happens to an append that does not fit
     */
    public record Lane(String name, long budgetBytes, FullPolicy whenFull) {}

    /** What a full lane does with a new record. */
    public enum FullPolicy {
        /** Hold the append (and so the publisher's ack) until there is room, refusing it after the block timeout. */
        BLOCK,
        /** Discard the lane's oldest segment, leaving a gap marker that states what was lost. */
        DROP_OLDEST
    }
}
