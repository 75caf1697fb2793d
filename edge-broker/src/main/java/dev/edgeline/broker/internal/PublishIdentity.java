package dev.edgeline.broker.internal;

import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.RecordEnvelope;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Turns an incoming publish into a {@link SpoolRecord} with its identity, bound to the client that sent it.
 *
 * <ul>
 *   <li>A <em>trusted</em> client (our agent) names its records' identity with the user properties {@code device},
 *       {@code stream}, {@code boot} and {@code seq}; {@code device} must be this gateway's own id. Some but not all
 *       of them, or non-numeric or negative numbers, are refused as malformed (0x99); another device's id is refused
 *       as not authorized (0x87). A trusted client that names none gets an assigned identity, as below.</li>
 *   <li>Every other client (third-party devices, MQTT 3.1.1) gets an assigned identity, whatever user properties it
 *       sends: {@code device} = {@code <gateway>/<user>} ({@code <gateway>/<client id>} when anonymous; {@code %}
 *       and {@code /} in the name are percent-encoded), {@code stream} = the topic, {@code boot} = the broker's boot,
 *       and {@code seq} assigned by the spool. The gateway's id in {@code device} keeps two gateways' records apart
 *       in keys and {@code ce_id}s even when their devices share a name.</li>
 *   <li>A client with {@code identity: device-seq} (a third-party device that counts its publishes) gets the assigned
 *       {@code device} and {@code stream}, and keeps its own {@code seq} and {@code boot} (0 when it sends none):
 *       user properties for MQTT 5, else the payload's top-level JSON members {@code "seq"} and {@code "boot"}.
 *       A publish without a usable {@code seq} is refused as malformed (0x99).</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class PublishIdentity {
    private final String gatewayDevice;
    private final long brokerBoot;

    public PublishIdentity(String gatewayDevice, long brokerBoot) {
        this.gatewayDevice = gatewayDevice;
        this.brokerBoot = brokerBoot;
    }

    /** The outcome: a record, or why the publish is refused. */
    public sealed interface Result {
        record Accepted(SpoolRecord record) implements Result {}

        record Rejected(Refusal kind, String reason) implements Result {}
    }

    /** Why a publish's identity is refused. */
    public enum Refusal {
        /** Incomplete or unreadable identity properties (reason code 0x99, payload format invalid). */
        MALFORMED,
        /** The client claims a device it does not speak for (reason code 0x87, not authorized). */
        NOT_AUTHORIZED
    }

    /** The gateway's own device id. */
    public String device() {
        return gatewayDevice;
    }

    /** The device of an assigned identity: {@code <gateway>/<name>}. */
    public String assignedDevice(String sourceName) {
        return gatewayDevice + "/" + sourceName.replace("%", "%25").replace("/", "%2F");
    }

    public Result identify(ClientPrincipal principal, String clientId, String topic, Map<String, String> userProperties,
                           boolean brokerClockSynced, long receivedAtMillis, byte[] payload) {
        Optional<String> device = Optional.ofNullable(userProperties.get(RecordEnvelope.DEVICE));
        Optional<String> stream = Optional.ofNullable(userProperties.get(RecordEnvelope.STREAM));
        Optional<String> boot = Optional.ofNullable(userProperties.get(RecordEnvelope.BOOT));
        Optional<String> seq = Optional.ofNullable(userProperties.get(RecordEnvelope.SEQ));
        int present = (device.isPresent() ? 1 : 0) + (stream.isPresent() ? 1 : 0) + (boot.isPresent() ? 1 : 0)
                + (seq.isPresent() ? 1 : 0);
        if (principal.identity() == dev.edgeline.config.BrokerConfig.IdentityTrust.DEVICE_SEQ) {
            return deviceCounted(principal, clientId, topic, seq, boot, brokerClockSynced, receivedAtMillis, payload);
        }
        if (!principal.trusted() || present == 0) {
            return new Result.Accepted(new SpoolRecord(assignedDevice(principal.sourceName(clientId)), topic,
                    brokerBoot, SpoolRecord.ASSIGN_SEQ, topic, brokerClockSynced, receivedAtMillis, payload));
        }
        if (present < 4) {
            return malformed("incomplete record identity: user properties device, stream, boot and seq "
                    + "must be given together (missing: " + missing(device, stream, boot, seq) + ")");
        }
        long bootNumber;
        long seqNumber;
        try {
            bootNumber = Long.parseLong(boot.get());
        } catch (NumberFormatException e) {
            return malformed("user property boot='" + boot.get() + "' is not a decimal number");
        }
        try {
            seqNumber = Long.parseLong(seq.get());
        } catch (NumberFormatException e) {
            return malformed("user property seq='" + seq.get() + "' is not a decimal number");
        }
        if (bootNumber < 0 || seqNumber < 0) {
            return malformed("user properties boot and seq must not be negative");
        }
        if (device.get().isEmpty() || stream.get().isEmpty()) {
            return malformed("user properties device and stream must not be empty");
        }
        if (!device.get().equals(gatewayDevice)) {
            return new Result.Rejected(Refusal.NOT_AUTHORIZED, "client " + clientId + " may publish records of device '"
                    + gatewayDevice + "' only, not of '" + device.get() + "'");
        }
        boolean clockSynced = "true".equals(userProperties.get(RecordEnvelope.CLOCK_SYNCED));
        return new Result.Accepted(new SpoolRecord(device.get(), stream.get(), bootNumber, seqNumber, topic,
                clockSynced, receivedAtMillis, payload));
    }

    /**
     * A device that counts its own publishes: its {@code seq} (and {@code boot}, 0 when it sends none) from the user
     * properties or, failing them, from the payload's top-level JSON members; device and stream as assigned.
     */
    private Result deviceCounted(ClientPrincipal principal, String clientId, String topic, Optional<String> seqProperty,
                                 Optional<String> bootProperty, boolean brokerClockSynced, long receivedAtMillis,
                                 byte[] payload) {
        long seqNumber;
        long bootNumber;
        if (seqProperty.isPresent()) {
            OptionalLong seq = counter(seqProperty.get());
            OptionalLong boot = bootProperty.isPresent() ? counter(bootProperty.get()) : OptionalLong.of(0);
            if (seq.isEmpty() || boot.isEmpty()) {
                return malformed("user property " + (seq.isEmpty() ? "seq='" + seqProperty.get()
                        : "boot='" + bootProperty.get()) + "' is not a non-negative decimal number");
            }
            seqNumber = seq.getAsLong();
            bootNumber = boot.getAsLong();
        } else {
            PayloadCounters.Counters counters = PayloadCounters.read(payload);
            if (counters.malformed() != null) {
                return malformed("payload member " + counters.malformed() + " is not a non-negative whole number");
            }
            if (counters.seq().isEmpty()) {
                return malformed("client " + clientId + " counts its own publishes (identity: device-seq) but this"
                        + " one has no seq: neither a user property seq nor a top-level \"seq\" in a JSON payload");
            }
            seqNumber = counters.seq().getAsLong();
            bootNumber = counters.boot().orElse(0);
        }
        return new Result.Accepted(new SpoolRecord(assignedDevice(principal.sourceName(clientId)), topic, bootNumber,
                seqNumber, topic, brokerClockSynced, receivedAtMillis, payload));
    }

    private static OptionalLong counter(String text) {
        if (text.isEmpty() || text.length() > 19 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static Result malformed(String reason) {
        return new Result.Rejected(Refusal.MALFORMED, reason);
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
