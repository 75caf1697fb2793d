package dev.edgeline.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BandwidthCapTest {
    @Test
    void noCap_neverWaits() throws InterruptedException {
        BandwidthCap cap = new BandwidthCap(0);
        long start = System.nanoTime();
        for (int i = 0; i < 1_000; i++) {
            cap.acquire(1 << 20);
        }
        assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    }

    @Test
    void cap_spreadsSendsOverTime() throws InterruptedException {
        BandwidthCap cap = new BandwidthCap(100_000); // 100 kB/s
        long start = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            cap.acquire(10_000); // 60 kB: the first goes at once, the other five wait 0.1 s each
        }
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(480_000_000L);
    }
}
