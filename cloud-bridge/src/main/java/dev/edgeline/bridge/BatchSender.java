package dev.edgeline.bridge;

import dev.edgeline.bridge.internal.Checkpoint;
import dev.edgeline.bridge.internal.CheckpointStore;
import dev.edgeline.bridge.internal.RecordMapper;
import dev.edgeline.broker.spool.GapMarkerRecords;
import dev.edgeline.broker.spool.SpoolReader;
import dev.edgeline.broker.spool.SpooledRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Sends one batch of spooled records to Kafka with the producer of the moment: exactly once, in a transaction with
 * the checkpoint of the spool positions after it; at least once, awaiting each record's ack. Either way a record
 * Kafka refuses for good (too large, invalid) is replaced by a gap marker saying so, so that one bad record never
 * stops its lane. Records no route takes are counted and left out. On the bridge's thread only.
 */
final class BatchSender {
    private final String deviceId;
    private final RecordMapper mapper;
    private final CheckpointStore checkpoints;
    private final ConsumerGroupMetadata checkpointGroup;
    private final BridgeActivity activity;
    private final Duration ackTimeout;
    private final BooleanSupplier running;

    /**
     * @param ackTimeout how long a transaction's records may go unacknowledged before the attempt fails
     * @param running    false once the bridge is closing: an ack wait at least once then gives up
     */
    BatchSender(String deviceId, RecordMapper mapper, CheckpointStore checkpoints, BridgeActivity activity,
                Duration ackTimeout, BooleanSupplier running) {
        this.deviceId = deviceId;
        this.mapper = mapper;
        this.checkpoints = checkpoints;
        this.checkpointGroup = new ConsumerGroupMetadata(CheckpointStore.groupOf(deviceId));
        this.activity = activity;
        this.ackTimeout = ackTimeout;
        this.running = running;
    }

    /**
     * Sends the batch and its checkpoint in one transaction and commits it. A record Kafka refuses for good (too
     * large for the cluster, invalid) aborts the attempt; it is then replaced by a gap marker that says so and the
     * batch is sent again, so that one bad record never stops its lane. Returns the records sent.
     */
    int inTransaction(Producer<byte[], byte[]> producer, SpoolReader reader, List<SpooledRecord> batch)
            throws IOException, TimeoutException, InterruptedException {
        Map<Integer, String> setAside = new HashMap<>();
        while (true) {
            producer.beginTransaction();
            List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
            KafkaException sendFailure = null;
            for (int i = 0; i < batch.size() && sendFailure == null; i++) {
                Optional<ProducerRecord<byte[], byte[]>> record = recordFor(batch.get(i),
                        setAside.isEmpty() ? null : setAside.get(i)); // no Integer per record in the common case
                try {
                    acks.add(record.map(producer::send).orElse(null));
                } catch (KafkaException e) {
                    sendFailure = e; // the transaction is failing; the acks so far say why
                }
            }
            Map<Integer, String> refused = KafkaRefusals.refusedForGood(acks, ackTimeout);
            if (!refused.isEmpty()) {
                // Kafka fails the records queued behind a refused one with the same error, so only the largest
                // refused record is taken for the culprit; the batch is sent again without it, and any other
                // record that is really refused is found on the next attempt.
                producer.abortTransaction();
                Set<Integer> candidates = new HashSet<>(refused.keySet());
                candidates.removeAll(setAside.keySet());
                if (candidates.isEmpty()) { // only gap markers refused: not a bad record, something else is wrong
                    throw new KafkaException("Kafka refused the gap markers of records it refused: "
                            + refused.values().iterator().next());
                }
                int culprit = KafkaRefusals.largest(candidates, batch);
                activity.setAside(batch.get(culprit), refused.get(culprit));
                setAside.put(culprit, refused.get(culprit));
                continue;
            }
            if (sendFailure != null) {
                throw sendFailure;
            }
            Checkpoint checkpoint = new Checkpoint(reader.spoolId(),
                    BatchLanes.positionsAfter(reader.committedPositions(), batch));
            producer.send(new ProducerRecord<>(checkpoints.topic(), deviceId.getBytes(StandardCharsets.UTF_8),
                    checkpoint.encode()));
            producer.sendOffsetsToTransaction(checkpoints.offsetsFor(checkpoint), checkpointGroup);
            producer.commitTransaction();
            return KafkaRefusals.countSent(acks);
        }
    }

    /** At least once: each record's ack awaited; a record refused for good is replaced by its gap marker. */
    int atLeastOnce(Producer<byte[], byte[]> producer, List<SpooledRecord> batch)
            throws InterruptedException, ExecutionException, TimeoutException {
        List<Future<RecordMetadata>> acks = new ArrayList<>(batch.size());
        for (SpooledRecord spooled : batch) {
            acks.add(recordFor(spooled, null).map(producer::send).orElse(null));
        }
        for (int i = 0; i < acks.size(); i++) {
            if (acks.get(i) == null) {
                continue;
            }
            try {
                awaitAck(acks.get(i));
            } catch (ExecutionException e) {
                Optional<String> refusal = KafkaRefusals.refusal(e);
                if (refusal.isEmpty()) {
                    throw e;
                }
                activity.setAside(batch.get(i), refusal.get());
                awaitAck(producer.send(recordFor(batch.get(i), refusal.get()).orElseThrow()));
            }
        }
        return KafkaRefusals.countSent(acks);
    }

    /** The Kafka record for a spooled one, its gap marker if Kafka refused it, or empty when no route matches. */
    private Optional<ProducerRecord<byte[], byte[]>> recordFor(SpooledRecord spooled, String refusedBecause) {
        if (refusedBecause != null) {
            return mapper.map(GapMarkerRecords.refusedByKafka(deviceId, spooled, refusedBecause,
                    System.currentTimeMillis()));
        }
        Optional<ProducerRecord<byte[], byte[]>> record = mapper.map(spooled.record());
        if (record.isEmpty()) {
            activity.unroutable(spooled);
        }
        return record;
    }

    /** Waits for one ack; gives up (TimeoutException) only once the bridge is closing. */
    private void awaitAck(Future<RecordMetadata> ack) throws InterruptedException, ExecutionException, TimeoutException {
        while (true) {
            try {
                ack.get(500, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                if (!running.getAsBoolean()) {
                    throw e;
                }
            }
        }
    }
}
