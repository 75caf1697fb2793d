package dev.edgeline.broker.internal;

import dev.edgeline.config.BrokerConfig.Quotas;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-client publish quotas ({@code broker.quotas}): two token buckets per client, one counting publishes and one
 * bytes, each refilled continuously at its rate and holding {@code burst-seconds} of it. A publish that finds either
 * short is refused (the caller answers 0x97) and takes nothing from them. Clients are keyed by their user, or their
 * client id when anonymous, so reconnecting under another client id does not refill anything. Thread-safe.
 */
public final class PublishQuotas {
    private final Quotas quotas;
    private final LongSupplier nanoTime;
    private final Map<String, Buckets> clients = new ConcurrentHashMap<>();

    public PublishQuotas(Quotas quotas, LongSupplier nanoTime) {
        this.quotas = quotas;
        this.nanoTime = nanoTime;
    }

    /** Takes one publish of {@code bytes} from {@code client}'s quota; why not, when it is exhausted. */
    public Optional<String> take(String client, int bytes) {
        return clients.computeIfAbsent(client, c -> new Buckets(nanoTime.getAsLong())).take(bytes, nanoTime.getAsLong());
    }

    private final class Buckets {
        private double publishes;
        private double bytes;
        private long lastNanos;

        Buckets(long now) {
            this.publishes = (double) quotas.publishesPerSecond() * quotas.burstSeconds();
            this.bytes = (double) quotas.bytesPerSecond() * quotas.burstSeconds();
            this.lastNanos = now;
        }

        synchronized Optional<String> take(int size, long now) {
            double seconds = Math.max(0, now - lastNanos) / 1e9;
            lastNanos = now;
            publishes = Math.min((double) quotas.publishesPerSecond() * quotas.burstSeconds(),
                    publishes + seconds * quotas.publishesPerSecond());
            bytes = Math.min((double) quotas.bytesPerSecond() * quotas.burstSeconds(),
                    bytes + seconds * quotas.bytesPerSecond());
            if (publishes < 1) {
                return Optional.of("more than broker.quotas.publishes-per-second " + quotas.publishesPerSecond()
                        + " (burst " + quotas.burstSeconds() + " s)");
            }
            if (bytes < size) {
                return Optional.of("more than broker.quotas.bytes-per-second " + quotas.bytesPerSecond()
                        + " (burst " + quotas.burstSeconds() + " s)");
            }
            publishes -= 1;
            bytes -= size;
            return Optional.empty();
        }
    }
}
