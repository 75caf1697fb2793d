package dev.edgeline.config;

import dev.edgeline.config.internal.ErrorSink;
import dev.edgeline.config.internal.YamlMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads {@code spool}: its directory, sizes, stream limits and priority lanes. */
final class SpoolSection {
    private final ErrorSink errors;
    private final Path base;

    SpoolSection(ErrorSink errors, Path base) {
        this.errors = errors;
        this.base = base;
    }

    SpoolConfig read(YamlMap m) {
        Path directory = m.directory("directory", base);
        long segmentBytes = m.longValue("segment-bytes");
        long budget = m.longValue("budget-bytes");
        Duration blockTimeout = m.duration("block-timeout");
        int maxStreams = m.integer("max-streams");
        int maxStreamsPerDevice = m.integer("max-streams-per-device");
        boolean sizesValid = m.isValid("segment-bytes") && m.isValid("budget-bytes");
        List<SpoolConfig.Lane> lanes = m.has("lanes")
                ? m.list("lanes", (path, node) -> YamlMap.of(path, node, errors)
                        .flatMap(l -> readLane(l, budget, segmentBytes, sizesValid)))
                : List.of();
        m.rejectUnknownKeys();
        if (sizesValid && budget < 2 * segmentBytes) {
            m.error("budget-bytes", budget + " must be at least twice segment-bytes (" + segmentBytes + ")");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lanes.size(); i++) {
            Integer previous = seen.putIfAbsent(lanes.get(i).name(), i);
            if (previous != null) {
                m.error("lanes[" + i + "].name", "duplicate lane name '" + lanes.get(i).name()
                        + "' (already used by lanes[" + previous + "])");
            }
        }
        if (m.has("lanes") && m.sizeOf("lanes") == 0) {
            m.error("lanes", "at least one lane is needed");
        }
        if (lanes.isEmpty()) { // no lanes: one for everything; or none valid (each reported): so later checks run
            lanes = List.of(new SpoolConfig.Lane(SpoolConfig.DEFAULT_LANE, budget, SpoolConfig.FullPolicy.BLOCK));
        }
        return new SpoolConfig(directory, segmentBytes, budget, lanes, blockTimeout,
                new SpoolConfig.StreamLimits(maxStreams, maxStreamsPerDevice));
    }

    private Optional<SpoolConfig.Lane> readLane(YamlMap m, long spoolBudget, long segmentBytes, boolean sizesValid) {
        String name = m.string("name");
        if (name != null && !ConfigNames.LANE_NAME.matcher(name).matches()) {
            m.error("name", "'" + name + "' is not a valid lane name ([a-z][a-z0-9_-]*, at most 32)");
        }
        long budget = m.longValue("budget-bytes", spoolBudget);
        boolean budgetIsUsers = m.has("budget-bytes") ? m.isValid("budget-bytes") && sizesValid : sizesValid;
        if (budgetIsUsers && budget < 2 * segmentBytes) {
            m.error("budget-bytes", budget + " must be at least twice the spool's segment-bytes (" + segmentBytes + ")");
        }
        String policy = m.string("when-full");
        SpoolConfig.FullPolicy whenFull = "drop-oldest".equals(policy) ? SpoolConfig.FullPolicy.DROP_OLDEST
                : SpoolConfig.FullPolicy.BLOCK;
        m.rejectUnknownKeys();
        return name == null ? Optional.empty() : Optional.of(new SpoolConfig.Lane(name, budget, whenFull));
    }
}
