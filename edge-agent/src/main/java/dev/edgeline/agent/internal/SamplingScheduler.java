package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.driver.Sample;
import dev.edgeline.agent.driver.SensorDriver;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples every sensor at its fixed rate (scheduled from one start time, so periods do not drift) on one thread,
 * {@code agent-sampler}, and hands each reading, numbered by its stream's {@link SequenceStore}, to the sink. A sensor
 * that fails to read is logged and counted; the others keep their schedule.
 */
public final class SamplingScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SamplingScheduler.class);

    /** A sensor with its driver and sequence numbers. */
    public record Channel(SensorConfig sensor, SensorDriver driver, SequenceStore sequence) {}

    private final String deviceId;
    private final long boot;
    private final List<Channel> channels;
    private final Consumer<Reading> sink;
    private final InstantSource clock;
    private final ClockSync clockSync;
    private final long sampleLimit;
    private final ScheduledExecutorService executor;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private final AtomicLong sampled = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    /**
     * @param sampleLimit samples per sensor after which it stops ({@code Long.MAX_VALUE}: never); for tests and
     *                    the benchmark harness
     */
    public SamplingScheduler(String deviceId, long boot, List<Channel> channels, Consumer<Reading> sink,
                             InstantSource clock, ClockSync clockSync, long sampleLimit) {
        this.deviceId = deviceId;
        this.boot = boot;
        this.channels = List.copyOf(channels);
        this.sink = sink;
        this.clock = clock;
        this.clockSync = clockSync;
        this.sampleLimit = sampleLimit;
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1,
                runnable -> Thread.ofPlatform().name("agent-sampler").unstarted(runnable));
        pool.setRemoveOnCancelPolicy(true);
        this.executor = pool;
    }

    public void start() {
        for (Channel channel : channels) {
            long periodNanos = channel.sensor().period().toNanos();
            AtomicLong count = new AtomicLong();
            ScheduledFuture<?>[] self = new ScheduledFuture<?>[1];
            Runnable task = () -> {
                if (count.getAndIncrement() >= sampleLimit) {
                    self[0].cancel(false);
                    return;
                }
                sample(channel);
            };
            self[0] = executor.scheduleAtFixedRate(task, 0, periodNanos, TimeUnit.NANOSECONDS);
            tasks.add(self[0]);
        }
    }

    private void sample(Channel channel) {
        String stream = channel.sensor().stream();
        try {
            Sample sample = channel.driver().read();
            long seq = channel.sequence().next();
            sink.accept(new Reading(deviceId, stream, boot, seq, sample.value(), sample.unit(),
                    clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                    clockSync.isSynchronized()));
            sampled.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            failures.incrementAndGet();
            LOG.warn("[Agent device={}] sensor {} failed to read: {}", deviceId, stream, e.toString());
        }
    }

    /** Readings produced since start. */
    public long sampled() {
        return sampled.get();
    }

    /** Whether every sensor has reached the sample limit. */
    public boolean finished() {
        return tasks.stream().allMatch(ScheduledFuture::isDone);
    }

    /** Stops sampling; a sample in progress completes. */
    public void stop() {
        tasks.forEach(task -> task.cancel(false));
    }

    @Override
    public void close() {
        stop();
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
