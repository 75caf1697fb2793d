package dev.edgeline.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class VirtualTickerTest {
    @Test
    void timeMovesOnlyWhenEveryPartyWaits_andWakesEachAtItsDeadline_inDeadlineOrder() throws Exception {
        VirtualTicker ticker = new VirtualTicker(2);
        List<String> events = new CopyOnWriteArrayList<>();
        Thread every30 = sleeper(ticker, "a", 30, events);
        Thread every70 = sleeper(ticker, "b", 70, events);
        ticker.runFor(Duration.ofMillis(150));
        assertThat(ticker.nanoTime()).isEqualTo(150_000_000L);
        assertThat(events).containsExactly("a@30", "a@60", "b@70", "a@90", "a@120", "b@140", "a@150");
        every30.interrupt();
        every70.interrupt();
        ticker.release();
        every30.join(5_000);
        every70.join(5_000);
        assertThat(every30.isAlive() || every70.isAlive()).isFalse();
    }

    @Test
    void aPartyThatNeverParks_isReportedInsteadOfHangingTheTest() {
        VirtualTicker ticker = new VirtualTicker(1);
        assertThat(ticker.nanoTime()).isZero();
        // No thread waits on it: runFor cannot move time and says why after its real-time limit. Shortened here
        // by interrupting the test thread.
        Thread self = Thread.currentThread();
        Thread interrupter = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            self.interrupt();
        });
        assertThatThrownBy(() -> ticker.runFor(Duration.ofSeconds(1))).isInstanceOf(InterruptedException.class);
        interrupter.interrupt();
        assertThat(ticker.nanoTime()).isZero();
    }

    @Test
    void sleepOnTheSystemTicker_waitsAtLeastItsDuration() throws Exception {
        Ticker ticker = Ticker.system();
        long before = System.nanoTime();
        ticker.sleep(Duration.ofMillis(20));
        assertThat(System.nanoTime() - before).isGreaterThanOrEqualTo(20_000_000L);
    }

    private static Thread sleeper(Ticker ticker, String name, long everyMillis, List<String> events) {
        return Thread.ofPlatform().name("sleeper-" + name).start(() -> {
            try {
                while (true) {
                    ticker.sleep(Duration.ofMillis(everyMillis));
                    events.add(name + "@" + ticker.nanoTime() / 1_000_000);
                }
            } catch (InterruptedException e) {
                // done
            }
        });
    }
}
