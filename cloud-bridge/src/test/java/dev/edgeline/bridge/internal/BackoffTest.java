package dev.edgeline.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffTest {
    @Test
    void delays_growExponentially_withJitter_upToTheCap_andResetAfterSuccess() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), new SplittableRandom(1));
        assertThat(backoff.next()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(backoff.next()).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(backoff.next()).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        for (int i = 0; i < 40; i++) {
            assertThat(backoff.next()).isBetween(Duration.ZERO, Duration.ofSeconds(2));
        }
        assertThat(backoff.next()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        backoff.reset();
        assertThat(backoff.next()).isLessThanOrEqualTo(Duration.ofMillis(100));
    }
}
