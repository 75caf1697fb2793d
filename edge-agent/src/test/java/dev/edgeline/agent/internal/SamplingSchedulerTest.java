package dev.edgeline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.driver.Measurement;
import dev.edgeline.agent.driver.SensorDriver;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SamplingSchedulerTest {
    @TempDir
    Path state;

    /** Records when each read began. */
    static final class TimedDriver implements SensorDriver {
        final String stream;
        final List<Long> readAt = new CopyOnWriteArrayList<>();
        final long blockMillis;
        final int failFirst;
        final AtomicInteger calls = new AtomicInteger();

        TimedDriver(String stream, long blockMillis, int failFirst) {
            this.stream = stream;
            this.blockMillis = blockMillis;
            this.failFirst = failFirst;
        }

        @Override
        public List<Measurement> read() throws IOException {
            readAt.add(System.nanoTime());
            if (calls.incrementAndGet() <= failFirst) {
                throw new IOException("Remote I/O error (attempt " + calls.get() + ")");
            }
            if (blockMillis > 0) {
                try {
                    Thread.sleep(blockMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return List.of(Measurement.sample(stream, calls.get(), "u"));
        }
    }

    private static SensorConfig.SimulatedAnalog sensor(String stream, long periodMillis) {
        return new SensorConfig.SimulatedAnalog(stream, Duration.ofMillis(periodMillis), "u", 0, 0, 0,
                Duration.ofMinutes(1));
    }

    @Test
    void aFailingAndASlowSensor_doNotDisturbTheOthersSchedule_andFailuresBecomeHealthRecords() throws Exception {
        TimedDriver fast = new TimedDriver("fast", 0, 0);
        TimedDriver slow = new TimedDriver("slow", 350, 0);      // like a DS18B20 conversion
        TimedDriver flaky = new TimedDriver("flaky", 0, 4);      // four I/O errors, then fine
        List<Reading> out = new CopyOnWriteArrayList<>();
        ReadingFactory readings = new ReadingFactory("pi-1", 3, state, List.of("fast", "slow", "flaky", "health"),
                InstantSource.system(), new ClockSync(state.resolve("synced")), MonotonicClock.system());
        SamplingScheduler scheduler = new SamplingScheduler(List.of(
                new SamplingScheduler.Channel(sensor("fast", 20), fast),
                new SamplingScheduler.Channel(sensor("slow", 500), slow),
                new SamplingScheduler.Channel(sensor("flaky", 50), flaky)),
                readings, new SensorHealth(readings, "health", out::add), out::add, Duration.ofSeconds(10),
                Long.MAX_VALUE, late -> { });
        scheduler.start();
        Thread.sleep(2_500);
        scheduler.close();

        // The fast sensor kept its grid: no tick missing, each read close to start + n x period.
        long t0 = fast.readAt.getFirst();
        for (int k = 0; k < fast.readAt.size(); k++) {
            long deviationMillis = (fast.readAt.get(k) - (t0 + k * 20_000_000L)) / 1_000_000;
            assertThat(Math.abs(deviationMillis)).as("fast read %d off its schedule", k).isLessThan(20);
        }
        assertThat(fast.readAt.size()).isBetween(120, 126);

        // The flaky sensor: failures 1..4 at 50, 100, 200, 400 ms backoff, then a recovery record and normal samples.
        List<String> health = out.stream().filter(r -> r.stream().equals("health")).map(Reading::json).toList();
        assertThat(health).hasSize(5);
        for (int i = 0; i < 4; i++) {
            assertThat(health.get(i)).startsWith("{\"sensor\":\"flaky\",\"type\":\"simulated-analog\",\"state\":\"failing\","
                    + "\"error\":\"Remote I/O error (attempt " + (i + 1) + ")\",\"consecutive_failures\":" + (i + 1)
                    + ",\"retry_in_ms\":" + (50 << i) + ",");
        }
        assertThat(health.get(4)).startsWith("{\"sensor\":\"flaky\",\"type\":\"simulated-analog\",\"state\":\"recovered\","
                + "\"failed_attempts\":4,");
        long flakyGapMillis = (flaky.readAt.get(4) - flaky.readAt.get(3)) / 1_000_000;
        assertThat(flakyGapMillis).as("retry after the 4th failure waits its backoff").isBetween(380L, 460L);
        assertThat(scheduler.failures()).isEqualTo(4);

        // Every stream numbered without gaps, from 0.
        for (String stream : List.of("fast", "slow", "flaky", "health")) {
            List<Long> seqs = out.stream().filter(r -> r.stream().equals(stream)).map(Reading::seq).toList();
            assertThat(seqs).as(stream).isNotEmpty();
            for (int i = 0; i < seqs.size(); i++) {
                assertThat(seqs.get(i)).as(stream).isEqualTo(i);
            }
        }
        assertThat(out).allMatch(r -> r.boot() == 3 && r.json().contains("\"mono_ms\":"));
    }

    @Test
    void aReadThatOverrunsTheNextTick_skipsIt_insteadOfBunchingUp() throws Exception {
        TimedDriver slow = new TimedDriver("slow", 130, 0);      // 130 ms read every 50 ms
        ReadingFactory readings = new ReadingFactory("pi-1", 1, state, List.of("slow", "health"),
                InstantSource.system(), new ClockSync(state.resolve("synced")), MonotonicClock.system());
        List<Reading> out = new CopyOnWriteArrayList<>();
        SamplingScheduler scheduler = new SamplingScheduler(List.of(new SamplingScheduler.Channel(sensor("slow", 50), slow)),
                readings, new SensorHealth(readings, "health", out::add), out::add, Duration.ofSeconds(10),
                Long.MAX_VALUE, late -> { });
        scheduler.start();
        Thread.sleep(1_000);
        scheduler.close();
        for (int k = 1; k < slow.readAt.size(); k++) {
            long gapMillis = (slow.readAt.get(k) - slow.readAt.get(k - 1)) / 1_000_000;
            assertThat(gapMillis).as("reads start on a later tick, never back to back").isGreaterThanOrEqualTo(140);
        }
        assertThat(scheduler.overruns()).isPositive();
    }
}
