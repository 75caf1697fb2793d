package dev.edgeline.broker.internal;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.MqttVersion;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.general.UserProperty;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import dev.edgeline.broker.sparkplug.SparkplugTopic;
import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.IdentityCollisionException;
import dev.edgeline.broker.spool.RecordRefusedException;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.broker.spool.SpoolException;
import dev.edgeline.broker.spool.SpoolFullException;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.broker.spool.StreamLimitException;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.BrokerConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends every publish to the spool, in the lane of its route (except the device's command traffic,
 * {@code edge/<device>/commands/<target>[/response]}, which is delivered and never spooled: see {@link CommandTopics}),
 * and registers the append with the
 * {@link DurableAckGate}, which holds the acknowledgement (PUBACK for QoS 1, PUBREC for QoS 2) until the record is
 * durable. Refused with a reason code and a reason string instead (the publish is neither spooled nor delivered):
 * <ul>
 *   <li>a topic over {@link BrokerConfig#MAX_TOPIC_BYTES} (0x90; HiveMQ would refuse it after this interceptor);</li>
 *   <li>a topic the client's ACL does not allow (0x87 not authorized);</li>
 *   <li>a payload above {@code broker.max-record-bytes} (0x83; a packet above the MQTT Maximum Packet Size never
 *       gets here: HiveMQ disconnects its sender with 0x95);</li>
 *   <li>a client that is not trusted publishing beyond its {@code broker.quotas} (0x97 quota exceeded);</li>
 *   <li>a topic that no {@code kafka.routes} entry matches (0x90 topic name invalid): it would never reach Kafka;</li>
 *   <li>a malformed identity (0x99) or one naming another device (0x87), see {@link PublishIdentity};</li>
 *   <li>a (boot, seq) too far above its stream's mark (0x83), see {@link IdentityJumpGuard}; reported on the
 *       broker's health stream;</li>
 *   <li>a record that would start a stream beyond {@code spool.max-streams} or {@code max-streams-per-device}
 *       (0x97 quota exceeded); reported on the broker's health stream;</li>
 *   <li>an append the spool refuses at once (0x97 queue full).</li>
 * </ul>
 * A QoS 1/2 retransmission (DUP) of a publish whose identity was assigned is not appended again (see
 * {@link RetransmissionTracker}); its acknowledgement waits for the first append. Such publishes are appended with
 * their {@link Spool.Origin}, which the spool keeps, so that this holds after a broker restart too. QoS 0 publishes
 * have no
 * acknowledgement to hold: they are appended the same way, at most once. MQTT 3.1.1 has no reason codes in PUBACK,
 * so an MQTT 3 client whose QoS 1/2 publish is refused is disconnected instead of acknowledged (see
 * {@link Refusals}); the log names the reason, at most once per reason every 10 s ({@link RefusalLog}, which
 * also counts them for {@code /metrics}).
 *
 * <p>Called on HiveMQ's extension threads; never blocks (the spool completes the hold on its writer thread).
 */
public final class SpoolingPublishInterceptor implements PublishInboundInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolingPublishInterceptor.class);
    private final Spool spool;
    private final BridgeConfig routes;
    private final PublishIdentity identity;
    private final IdentityJumpGuard jumpGuard;
    private final RetransmissionTracker retransmissions;
    private final BrokerHealth health;
    private final ClockSync clockSync;
    private final InstantSource clock;
    private final DurableAckGate gate;
    private final ClientDirectory clients;
    private final RefusalLog refusalLog;
    private final PublishQuotas quotas;
    private final SparkplugHost sparkplug;
    private final CommandTopics commandTopics;

    public SpoolingPublishInterceptor(Spool spool, BridgeConfig routes, ClientDirectory clients,
                                      PublishIdentity identity,
                                      IdentityJumpGuard jumpGuard, RetransmissionTracker retransmissions,
                                      BrokerHealth health, ClockSync clockSync, InstantSource clock,
                                      DurableAckGate gate, RefusalLog refusalLog, PublishQuotas quotas,
                                      SparkplugHost sparkplug) {
        this.sparkplug = sparkplug;
        this.commandTopics = new CommandTopics(identity.device());
        this.spool = spool;
        this.routes = routes;
        this.clients = clients;
        this.identity = identity;
        this.jumpGuard = jumpGuard;
        this.retransmissions = retransmissions;
        this.health = health;
        this.clockSync = clockSync;
        this.clock = clock;
        this.gate = gate;
        this.refusalLog = refusalLog;
        this.quotas = quotas;
    }

    @Override
    public void onInboundPublish(@NotNull PublishInboundInput input, @NotNull PublishInboundOutput output) {
        PublishPacket packet = input.getPublishPacket();
        String topic = packet.getTopic();
        String clientId = input.getClientInformation().getClientId();
        Refusals refusals = new Refusals(input, output);
        ClientPrincipal principal = clients.principalOf(input.getConnectionInformation().getConnectionAttributeStore());
        // A UTF-8 char takes at most 3 bytes: only a topic that long can be over the limit, so only it is encoded.
        if (topic.length() > BrokerConfig.MAX_TOPIC_BYTES / 3
                && topic.getBytes(StandardCharsets.UTF_8).length > BrokerConfig.MAX_TOPIC_BYTES) {
            // HiveMQ refuses it too, but only after this interceptor: checked here so that it is never spooled.
            refusals.refuse("topic-too-long", AckReasonCode.TOPIC_NAME_INVALID, "topic of "
                    + topic.getBytes(StandardCharsets.UTF_8).length + " bytes, over the limit of "
                    + BrokerConfig.MAX_TOPIC_BYTES + " (starts '" + topic.substring(0, 64) + "...')");
            return;
        }
        if (!principal.mayPublish(topic)) {
            refusals.refuse("not-authorized", AckReasonCode.NOT_AUTHORIZED, "user " + principal.sourceName(clientId)
                    + " may not publish to '" + topic + "' (broker.auth.clients)");
            return;
        }
        if (commandTopics.isCommandTraffic(topic)) {
            return; // delivered, never spooled: the command bridge keeps commands and their results durable
        }
        var route = routes.routeFor(topic);
        if (route.isEmpty()) {
            refusals.refuse("no-route", AckReasonCode.TOPIC_NAME_INVALID,
                    "no kafka.routes entry matches topic '" + topic + "': it would never reach Kafka");
            return;
        }
        byte[] payload = payload(packet);
        if (!principal.trusted()) {
            Optional<String> overQuota = quotas.take(principal.sourceName(clientId), payload.length);
            if (overQuota.isPresent()) {
                refusals.refuse("quota", AckReasonCode.QUOTA_EXCEEDED, "client of " + principal.sourceName(clientId)
                        + " publishes " + overQuota.get());
                return;
            }
        }
        boolean acknowledged = packet.getQos() != Qos.AT_MOST_ONCE;
        if (topic.startsWith(SparkplugTopic.PREFIX)) {
            Optional<SparkplugTopic> sparkplugTopic = SparkplugTopic.parse(topic);
            if (sparkplugTopic.isPresent() && sparkplugTopic.get().type() != SparkplugTopic.MessageType.NCMD
                    && sparkplugTopic.get().type() != SparkplugTopic.MessageType.DCMD) {
                spoolSparkplug(input, refusals, sparkplugTopic.get(), route.get().lane(), payload, acknowledged);
                return;
            }
        }
        PublishIdentity.Result result = identity.identify(principal, clientId, topic, userProperties(packet),
                clockSync.isSynchronized(), clock.millis(), payload);
        if (result instanceof PublishIdentity.Result.Rejected rejected) {
            boolean otherDevice = rejected.kind() == PublishIdentity.Refusal.NOT_AUTHORIZED;
            refusals.refuse(otherDevice ? "other-device" : "malformed-identity", otherDevice
                    ? AckReasonCode.NOT_AUTHORIZED : AckReasonCode.PAYLOAD_FORMAT_INVALID, rejected.reason());
            return;
        }
        SpoolRecord record = ((PublishIdentity.Result.Accepted) result).record();
        Optional<IdentityJumpGuard.Jump> jump = jumpGuard.check(principal.sourceName(clientId), record);
        if (jump.isPresent()) {
            refusals.refuse("identity-jump", AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
                    "refused: " + jump.get().reason() + "; it would make later records of stream "
                            + record.stream() + " look like duplicates");
            health.report("identity-jump-refused", record.device() + "/" + record.stream(), "client", clientId,
                    "device", record.device(), "stream", record.stream(),
                    "mark", jump.get().mark().boot() + "/" + jump.get().mark().seq(),
                    "offered", record.boot() + "/" + record.seq(), "reason", jump.get().reason());
            return;
        }
        boolean assigned = record.seq() == SpoolRecord.ASSIGN_SEQ;
        // Where a publish without its own identity came from: what tells its retransmission (DUP) apart.
        Spool.Origin origin = assigned && acknowledged ? Spool.Origin.of(clientId, packet.getPacketId(), topic, payload)
                : null;
        if (acknowledgedAsEarlierAppend(clientId, packet, origin)) {
            return;
        }
        Optional<SpoolException> foreseen = spool.precheck(record);
        CompletableFuture<AppendOutcome> append = foreseen.isPresent() ? CompletableFuture.failedFuture(foreseen.get())
                : spool.append(route.get().lane(), record, origin);
        if (append.isCompletedExceptionally()) {
            // Refused at once (queue full, closed): the publisher gets a negative acknowledgement right away.
            refuseFailedAppend(refusals, clientId, record, append);
            return;
        }
        if (acknowledged) {
            if (origin != null) {
                retransmissions.remember(origin, append);
            }
            gate.register(clientId, packet.getPacketId(), append);
        }
    }

    /**
     * A QoS 1/2 retransmission (DUP) of a publish already appended: its acknowledgement waits for the first append,
     * and it is not appended again. True when that is so.
     */
    private boolean acknowledgedAsEarlierAppend(String clientId, PublishPacket packet, Spool.Origin origin) {
        if (origin == null || !packet.getDupFlag()) {
            return false;
        }
        Optional<CompletableFuture<AppendOutcome>> earlier = retransmissions.earlierAppend(origin);
        if (earlier.isEmpty() || earlier.get().isCompletedExceptionally()) {
            return false;
        }
        LOG.debug("client {} resent packet {} on {} (DUP): not spooled again", clientId, packet.getPacketId(),
                packet.getTopic());
        gate.register(clientId, packet.getPacketId(), earlier.get());
        return true;
    }

    /** Refuses a publish whose append the spool refused at once, with the reason code of the spool's reason. */
    private void refuseFailedAppend(Refusals refusals, String clientId, SpoolRecord record,
                                    CompletableFuture<AppendOutcome> append) {
        Throwable cause = append.handle((o, e) -> e).join();
        Throwable reason = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        if (reason instanceof IdentityCollisionException collision) {
            refusals.refuse("identity-collision", AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR,
                    collision.getMessage());
            health.report("identity-collision", record.device() + "/" + record.stream(), "client", clientId,
                    "device", record.device(), "stream", record.stream(),
                    "offered", record.boot() + "/" + record.seq(), "reason", collision.getMessage());
            return;
        }
        if (reason instanceof StreamLimitException limit) {
            refusals.refuse("stream-limit", AckReasonCode.QUOTA_EXCEEDED, limit.getMessage());
            health.report("stream-limit", limit.device(), "client", clientId, "device", limit.device(),
                    "reason", limit.getMessage());
            return;
        }
        refusals.refuse(reason instanceof SpoolFullException ? "spool-full"
                : reason instanceof RecordRefusedException ? "record-refused" : "spool-error",
                reason instanceof SpoolFullException ? AckReasonCode.QUOTA_EXCEEDED
                : reason instanceof RecordRefusedException ? AckReasonCode.IMPLEMENTATION_SPECIFIC_ERROR
                : AckReasonCode.UNSPECIFIED_ERROR, reason instanceof SpoolException ? reason.getMessage()
                : "spool failure: " + reason);
    }

    /**
     * A Sparkplug B message of an edge node: decoded into one record per metric (and state and gap records) by
     * {@link SparkplugHost}, appended in order to the route's lane; the acknowledgement waits for the last of them.
     * A retransmission (DUP) of a message already appended is not appended again. If the broker stops between the
     * appends of one message, the client's resend appends them all again: duplicates, never a loss.
     */
    private void spoolSparkplug(PublishInboundInput input, Refusals refusals, SparkplugTopic topic, String lane,
                                byte[] payload, boolean acknowledged) {
        PublishPacket packet = input.getPublishPacket();
        String clientId = input.getClientInformation().getClientId();
        Spool.Origin origin = acknowledged ? Spool.Origin.of(clientId, packet.getPacketId(), packet.getTopic(),
                payload) : null;
        if (acknowledgedAsEarlierAppend(clientId, packet, origin)) {
            return;
        }
        var outcome = sparkplug.ingest(topic, payload, clockSync.isSynchronized(), clock.millis());
        if (outcome instanceof dev.edgeline.broker.sparkplug.SparkplugIngest.Outcome.Refused refused) {
            refusals.refuse("sparkplug-malformed", AckReasonCode.PAYLOAD_FORMAT_INVALID, refused.reason());
            return;
        }
        List<SpoolRecord> records = ((dev.edgeline.broker.sparkplug.SparkplugIngest.Outcome.Accepted) outcome)
                .records();
        for (SpoolRecord record : records) {
            Optional<SpoolException> foreseen = spool.precheck(record);
            if (foreseen.isPresent()) {
                refuseFailedAppend(refusals, clientId, record, CompletableFuture.failedFuture(foreseen.get()));
                return;
            }
        }
        CompletableFuture<AppendOutcome> last = CompletableFuture.completedFuture(AppendOutcome.APPENDED);
        for (int i = 0; i < records.size(); i++) {
            last = spool.append(lane, records.get(i), i == records.size() - 1 ? origin : null);
            if (last.isCompletedExceptionally()) {
                refuseFailedAppend(refusals, clientId, records.get(i), last);
                return;
            }
        }
        if (acknowledged) {
            if (origin != null && !records.isEmpty()) {
                retransmissions.remember(origin, last);
            }
            gate.register(clientId, packet.getPacketId(), last);
        }
    }

    /**
     * Refuses one publish. MQTT 5 clients get the reason code and string in their PUBACK/PUBREC. MQTT 3 has no
     * negative acknowledgement, so a refused QoS 1/2 publish of an MQTT 3 client is not acknowledged at all: the
     * {@link DurableAckGate} holds its acknowledgement and disconnects the client, which keeps the publish and
     * sends it again later (never acknowledged and dropped).
     */
    private final class Refusals {
        private final PublishInboundInput input;
        private final PublishInboundOutput output;

        Refusals(PublishInboundInput input, PublishInboundOutput output) {
            this.input = input;
            this.output = output;
        }

        void refuse(String kind, AckReasonCode code, String reason) {
            PublishPacket packet = input.getPublishPacket();
            String clientId = input.getClientInformation().getClientId();
            refusalLog.refused(kind, "client " + clientId + " on " + abbreviated(packet.getTopic()) + " (" + code
                    + "): " + reason);
            output.preventPublishDelivery(code, reason);
            if (packet.getQos() != Qos.AT_MOST_ONCE
                    && input.getConnectionInformation().getMqttVersion() != MqttVersion.V_5) {
                gate.register(clientId, packet.getPacketId(),
                        CompletableFuture.failedFuture(new SpoolException("refused (" + code + "): " + reason)));
            }
        }
    }

    private static String abbreviated(String topic) {
        return topic.length() <= 128 ? "'" + topic + "'" : "'" + topic.substring(0, 128) + "...' (" + topic.length()
                + " chars)";
    }

    private static Map<String, String> userProperties(PublishPacket packet) {
        Map<String, String> properties = new HashMap<>();
        for (UserProperty property : packet.getUserProperties().asList()) {
            properties.putIfAbsent(property.getName(), property.getValue());
        }
        return properties;
    }

    private static byte[] payload(PublishPacket packet) {
        return packet.getPayload().map(buffer -> {
            ByteBuffer copy = buffer.asReadOnlyBuffer();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return bytes;
        }).orElse(new byte[0]);
    }
}
