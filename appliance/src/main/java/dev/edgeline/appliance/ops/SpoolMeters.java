package dev.edgeline.appliance.ops;

import dev.edgeline.broker.spool.Spool;
import dev.edgeline.broker.spool.SpoolInspector;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The spool's meters (broker process). Gauges hold their object strongly: Micrometer's default is a weak reference,
 * and a gauge whose object was collected reports NaN (this class's instance is referenced by its gauges only).
 * The spool's meters (broker process): what was ingested, deduplicated, refused and dropped, fsync time, and per
 * lane the bytes on disk, appends blocked now, and the backlog the bridge has not forwarded (bytes and the age of the
 * oldest waiting record, read from the spool's files as {@code bin/edge status} reads them, at most once a second).
 */
public final class SpoolMeters {
    private final Spool spool;
    private final Path directory;
    private volatile SpoolInspector.View lastView;
    private volatile long lastViewNanos;

    private SpoolMeters(Spool spool, Path directory) {
        this.spool = spool;
        this.directory = directory;
    }

    public static void bind(MeterRegistry registry, Spool spool, Path directory) {
        SpoolMeters meters = new SpoolMeters(spool, directory);
        counter(registry, "edge.spool.appended.records", "records made durable (ingested) since start",
                spool, s -> s.counters().appended());
        counter(registry, "edge.spool.duplicates", "publishes acknowledged as duplicates of a stored record",
                spool, s -> s.counters().duplicates());
        counter(registry, "edge.spool.refused", "appends refused (lane full past its timeout, invalid, I/O error)",
                spool, s -> s.counters().refused());
        FunctionTimer.builder("edge.spool.fsync", spool, s -> s.counters().fsyncs(),
                        s -> s.counters().fsyncNanos(), TimeUnit.NANOSECONDS)
                .description("fsync calls of the spool's group commit, and the time they took").register(registry);
        Gauge.builder("edge.spool.fsync.max", spool, s -> s.counters().fsyncMaxNanos() / 1e9).baseUnit("seconds")
                .description("the longest single fsync since start").strongReference(true).register(registry);
        for (String lane : spool.lanes()) {
            Gauge.builder("edge.lane.disk", spool, s -> s.counters().lane(lane).bytesOnDisk()).baseUnit("bytes")
                    .tag("lane", lane).description("size of the lane's segment files").strongReference(true).register(registry);
            Gauge.builder("edge.lane.blocked.appends", spool, s -> s.counters().lane(lane).blocked())
                    .tag("lane", lane).description("publishes waiting for room in a full lane").strongReference(true).register(registry);
            counter(registry, "edge.lane.dropped.records", "records discarded by the drop-oldest policy", spool,
                    s -> s.counters().lane(lane).droppedRecords(), lane);
            counter(registry, "edge.lane.gap.markers", "gap markers written (each names records lost)", spool,
                    s -> s.counters().lane(lane).gapMarkers(), lane);
            Gauge.builder("edge.lane.backlog", meters, m -> m.laneView(lane)
                            .map(SpoolInspector.LaneView::backlogBytes).orElse(0L))
                    .baseUnit("bytes").tag("lane", lane)
                    .description("durable bytes the bridge has not forwarded yet").strongReference(true).register(registry);
            Gauge.builder("edge.lane.oldest.waiting", meters, m -> m.laneView(lane)
                            .flatMap(v -> v.oldestUnreadReceivedAtMillis().isPresent()
                                    ? Optional.of((System.currentTimeMillis()
                                    - v.oldestUnreadReceivedAtMillis().getAsLong()) / 1000.0) : Optional.empty())
                            .orElse(0.0))
                    .baseUnit("seconds").tag("lane", lane)
                    .description("age of the oldest record waiting for the bridge (0 when none)").strongReference(true).register(registry);
        }
    }

    private static void counter(MeterRegistry registry, String name, String description, Spool spool,
                                ToDoubleFunction<Spool> value, String... lane) {
        FunctionCounter.Builder<Spool> builder = FunctionCounter.builder(name, spool, value).description(description);
        if (lane.length == 1) {
            builder.tag("lane", lane[0]);
        }
        builder.register(registry);
    }

    private Optional<SpoolInspector.LaneView> laneView(String lane) {
        long now = System.nanoTime();
        if (lastView == null || now - lastViewNanos > 1_000_000_000L) {
            try {
                lastView = SpoolInspector.inspect(directory, "bridge");
                lastViewNanos = now;
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return lastView.lanes().stream().filter(l -> l.lane().equals(lane)).findFirst();
    }
}
