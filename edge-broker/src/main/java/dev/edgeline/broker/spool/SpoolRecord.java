package dev.edgeline.broker.spool;

import java.util.Arrays;
import java.util.Objects;

/**
 * One record as the spool stores it: a publish (or a gap marker) with its identity.
 *
 * <p>{@code seq == ASSIGN_SEQ} asks the spool to assign the next sequence number of the stream (for third-party
 * publishers that carry no identity); the spool does so in append order, so assigned numbers are monotonic per
 * stream and survive restarts.
 *
 * @param device        device id
 * @param stream        stream name
 * @param boot          publisher's boot number
 * @param seq           sequence number in the stream, or {@link #ASSIGN_SEQ}
 * @param mqttTopic     topic the record was published on
 * @param clockSynced   whether the publisher's wall clock was synchronised when it took the reading
 * @param receivedAtMillis broker wall-clock time of arrival (epoch milliseconds)
 * @param payload       the MQTT payload, unchanged (callers must not modify the array)
 * @param kind          data or gap marker
 */
public record SpoolRecord(
        String device,
        String stream,
        long boot,
        long seq,
        String mqttTopic,
        boolean clockSynced,
        long receivedAtMillis,
        byte[] payload,
        RecordKind kind) {

    /** Sentinel {@code seq}: let the spool assign the next sequence number of the stream. */
    public static final long ASSIGN_SEQ = -1;

    public SpoolRecord {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(mqttTopic, "mqttTopic");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(kind, "kind");
        if (seq < ASSIGN_SEQ) {
            throw new IllegalArgumentException("seq must be >= 0 (or ASSIGN_SEQ): " + seq);
        }
    }

    /** A data record. */
    public SpoolRecord(String device, String stream, long boot, long seq, String mqttTopic, boolean clockSynced,
                       long receivedAtMillis, byte[] payload) {
        this(device, stream, boot, seq, mqttTopic, clockSynced, receivedAtMillis, payload, RecordKind.DATA);
    }

    public SpoolRecord withSeq(long assigned) {
        return new SpoolRecord(device, stream, boot, assigned, mqttTopic, clockSynced, receivedAtMillis, payload, kind);
    }

    public SpoolRecord withIdentity(long assignedBoot, long assignedSeq) {
        return new SpoolRecord(device, stream, assignedBoot, assignedSeq, mqttTopic, clockSynced, receivedAtMillis,
                payload, kind);
    }

    @Override
    public String toString() {
        return "SpoolRecord[" + kind + " " + device + "/" + stream + " boot=" + boot + " seq=" + seq + " topic="
                + mqttTopic + " bytes=" + payload.length + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SpoolRecord r && boot == r.boot && seq == r.seq && clockSynced == r.clockSynced
                && receivedAtMillis == r.receivedAtMillis && device.equals(r.device) && stream.equals(r.stream)
                && mqttTopic.equals(r.mqttTopic) && Arrays.equals(payload, r.payload) && kind == r.kind;
    }

    @Override
    public int hashCode() {
        return Objects.hash(device, stream, boot, seq, kind);
    }
}
