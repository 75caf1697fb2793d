package dev.edgeline.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.config.BrokerConfig.Quotas;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PublishQuotasTest {
    private final AtomicLong now = new AtomicLong();
    private final PublishQuotas quotas = new PublishQuotas(new Quotas(10, 1_000, 2), now::get);

    @Test
    void aBurstOfTwoSecondsPasses_thenTheRateRefills_andClientsAreApart() {
        for (int i = 0; i < 20; i++) {
            assertThat(quotas.take("esp32", 10)).as("publish " + i).isEmpty();
        }
        assertThat(quotas.take("esp32", 10)).hasValueSatisfying(why -> assertThat(why)
                .contains("publishes-per-second 10"));
        assertThat(quotas.take("other", 10)).as("another client's own quota").isEmpty();
        now.addAndGet(100_000_000); // 0.1 s: one publish more
        assertThat(quotas.take("esp32", 10)).isEmpty();
        assertThat(quotas.take("esp32", 10)).isPresent();
    }

    @Test
    void bytesAreLimitedToo_andARefusalTakesNothing() {
        assertThat(quotas.take("esp32", 1_500)).isEmpty();
        assertThat(quotas.take("esp32", 600)).hasValueSatisfying(why -> assertThat(why)
                .contains("bytes-per-second 1000"));
        assertThat(quotas.take("esp32", 500)).as("the refused 600 bytes were not taken").isEmpty();
    }
}
