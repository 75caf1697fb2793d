package dev.edgeline.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void equalJitter_delaysGrowExponentially_betweenHalfAndAllOfTheCap_upToTheMaximum_andResetAfterSuccess() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), Backoff.Jitter.EQUAL,
                new SplittableRandom(1));
        assertThat(backoff.next()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(backoff.next()).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(backoff.next()).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(backoff.next()).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
        assertThat(backoff.next()).isBetween(Duration.ofMillis(800), Duration.ofMillis(1600));
        for (int i = 0; i < 38; i++) {
            assertThat(backoff.next()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
        }
        assertThat(backoff.attempts()).isEqualTo(43);
        backoff.reset();
        assertThat(backoff.attempts()).isZero();
        assertThat(backoff.next()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
    }

    @Test
    void noJitter_isExactlyTheCappedDoubling_evenFromLongInitialDelaysThatWouldOverflowAShift() {
        Backoff backoff = Backoff.exact(Duration.ofMillis(50), Duration.ofMillis(300));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(50));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(300));
        assertThat(backoff.next()).isEqualTo(Duration.ofMillis(300));

        Backoff hourly = Backoff.exact(Duration.ofHours(1), Duration.ofDays(365 * 100));
        for (int i = 0; i < 100; i++) {
            assertThat(hourly.next()).isPositive().isLessThanOrEqualTo(Duration.ofDays(365 * 100));
        }
    }

    @Test
    void aMaximumBelowTheInitialDelay_meansTheInitialDelay() {
        Backoff backoff = Backoff.exact(Duration.ofSeconds(5), Duration.ofSeconds(1));
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.next()).isEqualTo(Duration.ofSeconds(5));
    }
}
