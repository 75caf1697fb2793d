package dev.edgeline.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusalLogTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final RefusalLog log = new RefusalLog(Duration.ofSeconds(10), now::get);

    @Test
    void aFloodOfRefusals_logsOneLinePerReasonAndInterval_andCountsEveryOne() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 125_000; i++) {
            now.addAndGet(Duration.ofMillis(45_000).toNanos() / 125_000); // 125,000 refusals in 45 s
            String line = log.refused("spool-full", "client c" + i + " on 'lan/x': disk full");
            if (line != null) {
                lines.add(line);
            }
        }
        assertThat(lines).hasSize(5); // at 0, 10, 20, 30 and 40 s
        assertThat(lines.getFirst()).isEqualTo("refused publish (spool-full): client c0 on 'lan/x': disk full");
        assertThat(lines.get(1)).startsWith("refused publish (spool-full): client c").contains("more refusal(s) of this "
                + "kind in the last 10 s not logged]");
        assertThat(log.counts()).containsExactly(java.util.Map.entry("spool-full", 125_000L));
    }

    @Test
    void eachReason_hasItsOwnWindow() {
        assertThat(log.refused("not-authorized", "a")).isNotNull();
        assertThat(log.refused("no-route", "b")).isNotNull();
        assertThat(log.refused("not-authorized", "c")).isNull();
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        assertThat(log.refused("not-authorized", "d")).isEqualTo("refused publish (not-authorized): d [and 1 more "
                + "refusal(s) of this kind in the last 10 s not logged]");
        assertThat(log.counts()).containsEntry("not-authorized", 3L).containsEntry("no-route", 1L);
    }
}
