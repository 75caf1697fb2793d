package dev.edgeline.broker.internal;

import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.RecordEnvelope;
import java.util.Map;
import java.util.Optional;

/**
 * Turns an incoming publish into a {@link SpoolRecord} with its identity. A publish carrying all of {@code device},
 * {@code stream}, {@code boot} and {@code seq} as user properties keeps them (our agent does this); one carrying
 * none of them (a third-party device, or MQTT 3) gets device = client id, stream = topic, boot = the broker's boot
 * and a sequence number assigned by the spool. Anything in between is rejected with a message naming the problem.
 * Stateless and thread-safe.
 */
public final class PublishIdentity {
    private final long brokerBoot;

    public PublishIdentity(long brokerBoot) {
        this.brokerBoot = brokerBoot;
    }

    /** The outcome: a record, or why the publish is refused. */
    public sealed interface Result {
        record Accepted(SpoolRecord record) implements Result {}

        record Rejected(String reason) implements Result {}
    }

    public Result identify(String clientId, String topic, Map<String, String> userProperties, boolean brokerClockSynced,
                           long receivedAtMillis, byte[] payload) {
        Optional<String> device = Optional.ofNullable(userProperties.get(RecordEnvelope.DEVICE));
        Optional<String> stream = Optional.ofNullable(userProperties.get(RecordEnvelope.STREAM));
        Optional<String> boot = Optional.ofNullable(userProperties.get(RecordEnvelope.BOOT));
        Optional<String> seq = Optional.ofNullable(userProperties.get(RecordEnvelope.SEQ));
        int present = (device.isPresent() ? 1 : 0) + (stream.isPresent() ? 1 : 0) + (boot.isPresent() ? 1 : 0)
                + (seq.isPresent() ? 1 : 0);
        if (present == 0) {
            return new Result.Accepted(new SpoolRecord(clientId, topic, brokerBoot, SpoolRecord.ASSIGN_SEQ, topic,
                    brokerClockSynced, receivedAtMillis, payload));
        }
        if (present < 4) {
            return new Result.Rejected("incomplete record identity: user properties device, stream, boot and seq "
                    + "must be given together (missing: " + missing(device, stream, boot, seq) + ")");
        }
        long bootNumber;
        long seqNumber;
        try {
            bootNumber = Long.parseLong(boot.get());
        } catch (NumberFormatException e) {
            return new Result.Rejected("user property boot='" + boot.get() + "' is not a decimal number");
        }
        try {
            seqNumber = Long.parseLong(seq.get());
        } catch (NumberFormatException e) {
            return new Result.Rejected("user property seq='" + seq.get() + "' is not a decimal number");
        }
        if (bootNumber < 0 || seqNumber < 0) {
            return new Result.Rejected("user properties boot and seq must not be negative");
        }
        if (device.get().isEmpty() || stream.get().isEmpty()) {
            return new Result.Rejected("user properties device and stream must not be empty");
        }
        boolean clockSynced = "true".equals(userProperties.get(RecordEnvelope.CLOCK_SYNCED));
        return new Result.Accepted(new SpoolRecord(device.get(), stream.get(), bootNumber, seqNumber, topic,
                clockSynced, receivedAtMillis, payload));
    }

    private static String missing(Optional<String> device, Optional<String> stream, Optional<String> boot,
                                  Optional<String> seq) {
        StringBuilder names = new StringBuilder();
        if (device.isEmpty()) names.append("device ");
        if (stream.isEmpty()) names.append("stream ");
        if (boot.isEmpty()) names.append("boot ");
        if (seq.isEmpty()) names.append("seq ");
        return names.toString().trim().replace(' ', ',');
    }
}
