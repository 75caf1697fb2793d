package dev.edgeline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.agent.bus.DigitalInputPin;
import dev.edgeline.config.SensorConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DebouncerTest {
    private static final long MS = 1_000_000;

    @Test
    void aBouncingContact_settlesToOneChange() {
        Debouncer d = new Debouncer(false, 20 * MS);
        long t = 0;
        boolean level = false;
        for (int i = 0; i < 15; i++) {            // 15 bounces, 1 ms apart, ending high
            level = !level;
            d.edge(level, t += MS);
        }
        assertThat(d.settle(t + 19 * MS)).isEmpty();
        assertThat(d.settle(t + 20 * MS)).contains(true);
        assertThat(d.settle(t + 40 * MS)).isEmpty();
        assertThat(d.settledLevel()).isTrue();
    }

    @Test
    void aGlitchThatReturns_isNoChange() {
        Debouncer d = new Debouncer(true, 10 * MS);
        d.edge(false, 100 * MS);
        d.edge(true, 102 * MS);
        assertThat(d.settle(200 * MS)).isEmpty();
        assertThat(d.settledLevel()).isTrue();
    }

    @Test
    void earlierSettleCalls_doNothing_whileTheLevelIsStillMoving() {
        Debouncer d = new Debouncer(false, 10 * MS);
        d.edge(true, 0);
        d.edge(false, 5 * MS);
        d.edge(true, 8 * MS);
        assertThat(d.settle(10 * MS)).as("the first edge's deadline").isEmpty();
        assertThat(d.settle(18 * MS)).isEqualTo(Optional.of(true));
    }

    /** A pin fed raw edges by the test, as Pi4J's listener thread would. */
    static final class FakePin implements DigitalInputPin {
        volatile boolean level;
        volatile EdgeListener listener;

        @Override
        public boolean level() {
            return level;
        }

        @Override
        public void onEdge(EdgeListener l) {
            listener = l;
        }

        void set(boolean value) {
            level = value;
            listener.edge(value, System.nanoTime());
        }
    }

    @Test
    void driver_publishesOneEventPerSettledChange_andTheLevelOnEverySample() throws Exception {
        FakePin pin = new FakePin();
        DigitalInputDriver driver = new DigitalInputDriver(new SensorConfig.DigitalInput("door", Duration.ofSeconds(1),
                17, SensorConfig.Pull.UP, Duration.ofMillis(20)), pin);
        List<Measurement> events = new CopyOnWriteArrayList<>();
        driver.startEvents(events::add);
        for (int i = 0; i < 25; i++) {            // a burst of 25 raw edges within a few ms: the door opening
            pin.set(i % 2 == 0);
        }
        TimeUnit.MILLISECONDS.sleep(200);
        assertThat(events).containsExactly(new Measurement("door", 1, "", true));
        assertThat(driver.read()).containsExactly(Measurement.sample("door", 1, ""));
        for (int i = 0; i < 10; i++) {            // closing again, 10 bounces ending low
            pin.set(i % 2 == 1 ? false : true);
        }
        pin.set(false);
        TimeUnit.MILLISECONDS.sleep(200);
        assertThat(events).containsExactly(new Measurement("door", 1, "", true), new Measurement("door", 0, "", true));
        driver.close();
    }
}
