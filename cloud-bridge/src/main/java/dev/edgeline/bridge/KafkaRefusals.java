package dev.edgeline.bridge;

import dev.edgeline.broker.spool.SpooledRecord;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Which records Kafka refused for good (too large for the cluster, invalid), as opposed to a cluster that is away:
 * the bridge replaces such a record by a gap marker that says so, so that one bad record never stops its lane.
 */
final class KafkaRefusals {
    private KafkaRefusals() {}

    /** Kafka's reason when {@code error} means the record can never be accepted (not: the cluster is away). */
    static Optional<String> refusal(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RecordTooLargeException || t instanceof InvalidRecordException
                    || t instanceof CorruptRecordException || t instanceof RecordBatchTooLargeException) {
                return Optional.of(t.getClass().getSimpleName() + ": " + t.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * Per batch index, why Kafka refused that record for good; waits for every send to finish first, at most
     * {@code timeout} in all. Bounded, unlike {@code producer.flush()}, which waits up to delivery.timeout.ms
     * (minutes) on a Kafka that holds its connections open and answers nothing; the caller's recovery (a fresh
     * producer) takes over instead.
     */
    static Map<Integer, String> refusedForGood(List<Future<RecordMetadata>> acks, Duration timeout)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Integer, String> refused = new HashMap<>();
        for (int i = 0; i < acks.size(); i++) {
            Future<RecordMetadata> ack = acks.get(i);
            if (ack == null) {
                continue;
            }
            try {
                ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                int index = i;
                refusal(e).ifPresent(why -> refused.put(index, why));
            } catch (TimeoutException e) {
                throw new TimeoutException("Kafka acknowledged " + i + " of the batch's " + acks.size()
                        + " record(s) within " + timeout.toSeconds() + " s");
            }
        }
        return refused;
    }

    /**
     * The refused record taken for the culprit: Kafka fails the records queued behind a refused one with the same
     * error, so the largest of them is the one most likely refused on its own merits.
     */
    static int largest(Set<Integer> indexes, List<SpooledRecord> batch) {
        int largest = -1;
        for (int index : indexes) {
            if (largest < 0 || batch.get(index).record().payload().length > batch.get(largest).record().payload().length) {
                largest = index;
            }
        }
        return largest;
    }

    /** How many records were sent (the batch's unroutable ones have no ack). */
    static int countSent(List<Future<RecordMetadata>> acks) {
        int sent = 0;
        for (Future<RecordMetadata> ack : acks) {
            if (ack != null) {
                sent++;
            }
        }
        return sent;
    }
}
