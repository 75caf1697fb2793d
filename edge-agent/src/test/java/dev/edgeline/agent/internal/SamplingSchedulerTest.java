package dev.edgeline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.driver.Measurement;
import dev.edgeline.agent.driver.SensorDriver;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.SensorConfig;
import dev.edgeline.time.Ticker;
import dev.edgeline.time.VirtualTicker;
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

    /** Records when each read began, on the scheduler's ticker; a read can take time on it and fail at first. */
    static final class TimedDriver implements SensorDriver {
        final Ticker ticker;
        final String stream;
        final List<Long> readAt = new CopyOnWriteArrayList<>();
        final long blockMillis;
        final int failFirst;
        final AtomicInteger calls = new AtomicInteger();

        TimedDriver(Ticker ticker, String stream, long blockMillis, int failFirst) {
            this.ticker = ticker;
            this.stream = stream;
            this.blockMillis = blockMillis;
            this.failFirst = failFirst;
        }

        @Override
        public List<Measurement> read() throws IOException {
            readAt.add(ticker.nanoTime());
            if (calls.incrementAndGet() <= failFirst) {
                throw new IOException("Remote I/O error (attempt " + calls.get() + ")");
            }
            if (blockMillis > 0) {
                try {
                    ticker.sleep(Duration.ofMillis(blockMillis));
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
        VirtualTicker ticker = new VirtualTicker(3);
        TimedDriver fast = new TimedDriver(ticker, "fast", 0, 0);
        TimedDriver slow = new TimedDriver(ticker, "slow", 350, 0);      // like a DS18B20 conversion
        TimedDriver flaky = new TimedDriver(ticker, "flaky", 0, 4);      // four I/O errors, then fine
        List<Reading> out = new CopyOnWriteArrayList<>();
        ReadingFactory readings = new ReadingFactory("pi-1", 3, state, List.of("fast", "slow", "flaky", "health"),
                InstantSource.system(), new ClockSync(state.resolve("synced")), MonotonicClock.system());
        SamplingScheduler scheduler = new SamplingScheduler(List.of(
                new SamplingScheduler.Channel(sensor("fast", 20), fast),
                new SamplingScheduler.Channel(sensor("slow", 500), slow),
                new SamplingScheduler.Channel(sensor("flaky", 50), flaky)),
                readings, new SensorHealth(readings, "health", out::add), out::add, Duration.ofSeconds(10),
                Long.MAX_VALUE, late -> { }, ticker);
        scheduler.start();
        ticker.runFor(Duration.ofMillis(2_500));
        stop(scheduler, ticker);

        // The fast sensor kept its grid while the slow one blocked for 350 ms and the flaky one failed: every tick of
        // 2.5 s (the first 1 ms after start), each read exactly at start + n x period.
        long t0 = fast.readAt.getFirst();
        assertThat(t0).isEqualTo(1_000_000);
        for (int k = 0; k < fast.readAt.size(); k++) {
            assertThat(fast.readAt.get(k)).as("fast read %d on its schedule", k).isEqualTo(t0 + k * 20_000_000L);
        }
        assertThat(fast.readAt).hasSize(125);
        assertThat(slow.readAt).containsExactly(1_000_000L, 501_000_000L, 1_001_000_000L, 1_501_000_000L,
                2_001_000_000L);

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
        // Tries at 0 (fails, 50 ms), 50 (fails, 100 ms), 150 (fails, 200 ms), 350 (fails, 400 ms), 750 ms (succeeds),
        // then every period again: the ticks inside each backoff leave the bus alone.
        assertThat(flaky.readAt.subList(0, 6)).containsExactly(1_000_000L, 51_000_000L, 151_000_000L, 351_000_000L,
                751_000_000L, 801_000_000L);
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
        VirtualTicker ticker = new VirtualTicker(1);
        TimedDriver slow = new TimedDriver(ticker, "slow", 130, 0);      // 130 ms read every 50 ms
        ReadingFactory readings = new ReadingFactory("pi-1", 1, state, List.of("slow", "health"),
                InstantSource.system(), new ClockSync(state.resolve("synced")), MonotonicClock.system());
        List<Reading> out = new CopyOnWriteArrayList<>();
        SamplingScheduler scheduler = new SamplingScheduler(List.of(new SamplingScheduler.Channel(sensor("slow", 50), slow)),
                readings, new SensorHealth(readings, "health", out::add), out::add, Duration.ofSeconds(10),
                Long.MAX_VALUE, late -> { }, ticker);
        scheduler.start();
        ticker.runFor(Duration.ofMillis(1_000));
        stop(scheduler, ticker);
        // Each read ends 130 ms after it began, past two ticks; the next read starts on the next tick still ahead
        // (150 ms after the last), never back to back. 1 s holds reads at 0, 150, ..., 900 ms: 14 ticks skipped.
        assertThat(slow.readAt).hasSize(7);
        for (int k = 0; k < slow.readAt.size(); k++) {
            assertThat(slow.readAt.get(k)).as("read %d", k).isEqualTo(1_000_000L + k * 150_000_000L);
        }
        assertThat(scheduler.overruns()).isEqualTo(14);
    }

    @Test
    void commands_changeThePeriod_disable_readNow_andEnable_eachTakingEffectAtOnce() throws Exception {
        VirtualTicker ticker = new VirtualTicker(1);
        TimedDriver env = new TimedDriver(ticker, "env", 0, 0);
        ReadingFactory readings = new ReadingFactory("pi-1", 1, state, List.of("env", "health"),
                InstantSource.system(), new ClockSync(state.resolve("synced")), MonotonicClock.system());
        List<Reading> out = new CopyOnWriteArrayList<>();
        SamplingScheduler scheduler = new SamplingScheduler(List.of(new SamplingScheduler.Channel(sensor("env", 20), env)),
                readings, new SensorHealth(readings, "health", out::add), out::add, Duration.ofSeconds(10),
                Long.MAX_VALUE, late -> { }, ticker);
        SensorControl control = scheduler.control("env");
        scheduler.start();
        ticker.runFor(Duration.ofMillis(100));                              // every 20 ms from 1 ms
        control.apply(new SensorControl.Settings(Duration.ofMillis(50), true));
        ticker.runFor(Duration.ofMillis(200));                              // every 50 ms from the change (100 ms)
        control.apply(new SensorControl.Settings(Duration.ofMillis(50), false));
        ticker.runFor(Duration.ofMillis(200));                              // nothing while disabled
        List<Reading> now = control.readNow().get(10, java.util.concurrent.TimeUnit.SECONDS); // at 500 ms
        control.apply(new SensorControl.Settings(Duration.ofMillis(50), true));
        ticker.runFor(Duration.ofMillis(100));
        stop(scheduler, ticker);

        assertThat(env.readAt).containsExactly(1_000_000L, 21_000_000L, 41_000_000L, 61_000_000L, 81_000_000L,
                100_000_000L, 150_000_000L, 200_000_000L, 250_000_000L, 300_000_000L,
                500_000_000L, 500_000_000L, 550_000_000L, 600_000_000L);
        assertThat(now).singleElement().satisfies(r -> {
            assertThat(r.stream()).isEqualTo("env");
            assertThat(r.seq()).as("numbered like every reading").isEqualTo(10);
        });
        assertThat(out).extracting(Reading::seq).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L,
                13L);
    }

    @Test
    void aReadNowThatFails_failsTheRequest_notTheSchedule() throws Exception {
        VirtualTicker ticker = new VirtualTicker(1);
        TimedDriver flaky = new TimedDriver(ticker, "flaky", 0, 1);
        ReadingFactory readings = new ReadingFactory("pi-1", 1, state, List.of("flaky", "health"),
                InstantSource.system(), new ClockSync(state.resolve("synced")), MonotonicClock.system());
        List<Reading> out = new CopyOnWriteArrayList<>();
        SamplingScheduler scheduler = new SamplingScheduler(List.of(new SamplingScheduler.Channel(sensor("flaky", 100), flaky)),
                readings, new SensorHealth(readings, "health", out::add), out::add, Duration.ofSeconds(10),
                Long.MAX_VALUE, late -> { }, ticker);
        scheduler.control("flaky").apply(new SensorControl.Settings(Duration.ofMillis(100), false));
        scheduler.start();
        ticker.runFor(Duration.ofMillis(50));
        var request = scheduler.control("flaky").readNow();
        assertThatThrownBy(() -> request.get(10, java.util.concurrent.TimeUnit.SECONDS))
                .hasRootCauseMessage("Remote I/O error (attempt 1)");
        assertThat(scheduler.control("flaky").readNow().get(10, java.util.concurrent.TimeUnit.SECONDS)).hasSize(1);
        ticker.runFor(Duration.ofMillis(300));
        stop(scheduler, ticker);
        assertThat(flaky.readAt).as("two reads on request, none scheduled (disabled)").hasSize(2);
        assertThat(out).as("no health record: a failed read on request is the requester's answer")
                .noneMatch(r -> r.stream().equals("health"));
    }

    /** Stops the scheduler, then lets a read still waiting on the virtual ticker finish so that close can join. */
    private static void stop(SamplingScheduler scheduler, VirtualTicker ticker) {
        scheduler.stop();
        ticker.release();
        scheduler.close();
    }
}
