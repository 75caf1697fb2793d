package dev.edgeline.broker.internal;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.packets.general.UserProperty;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.broker.spool.SpoolException;
import dev.edgeline.broker.spool.SpoolFullException;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.ClockSync;
import java.nio.ByteBuffer;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends every publish on a bridged topic to the spool, in the lane of its route, and registers the append with the
 * {@link DurableAckGate}, which holds the acknowledgement (PUBACK for QoS 1, PUBREC for QoS 2) until the record is
 * durable. A publish with a malformed identity, or one the spool refuses at once (queue full), is not delivered and
 * is acknowledged with an error reason code and a reason string. QoS 0 publishes have no acknowledgement to hold:
 * they are appended the same way, at most once.
 *
 * <p>Called on HiveMQ's extension threads; never blocks (the spool completes the hold on its writer thread).
 */
public final class SpoolingPublishInterceptor implements PublishInboundInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolingPublishInterceptor.class);
    private final Spool spool;
    private final BridgeConfig routes;
    private final PublishIdentity identity;
    private final ClockSync clockSync;
    private final InstantSource clock;
    private final DurableAckGate gate;

    public SpoolingPublishInterceptor(Spool spool, BridgeConfig routes, PublishIdentity identity, ClockSync clockSync,
                                      InstantSource clock, DurableAckGate gate) {
        this.gate = gate;
        this.spool = spool;
        this.routes = routes;
        this.identity = identity;
        this.clockSync = clockSync;
        this.clock = clock;
    }

    @Override
    public void onInboundPublish(@NotNull PublishInboundInput input, @NotNull PublishInboundOutput output) {
        PublishPacket packet = input.getPublishPacket();
        String topic = packet.getTopic();
        var route = routes.routeFor(topic);
        if (route.isEmpty()) {
            return;
        }
        String clientId = input.getClientInformation().getClientId();
        PublishIdentity.Result result = identity.identify(clientId, topic, userProperties(packet),
                clockSync.isSynchronized(), clock.millis(), payload(packet));
        if (result instanceof PublishIdentity.Result.Rejected rejected) {
            LOG.warn("refused publish from client {} on {}: {}", clientId, topic, rejected.reason());
            output.preventPublishDelivery(AckReasonCode.PAYLOAD_FORMAT_INVALID, rejected.reason());
            return;
        }
        var record = ((PublishIdentity.Result.Accepted) result).record();
        CompletableFuture<AppendOutcome> append = spool.append(route.get().lane(), record);
        if (append.isCompletedExceptionally()) {
            // Refused at once (queue full, closed): the publisher gets a negative acknowledgement right away.
            Throwable cause = append.handle((o, e) -> e).join();
            Throwable reason = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
            output.preventPublishDelivery(reason instanceof SpoolFullException ? AckReasonCode.QUOTA_EXCEEDED
                    : AckReasonCode.UNSPECIFIED_ERROR, reason instanceof SpoolException ? reason.getMessage()
                    : "spool failure: " + reason);
            return;
        }
        if (packet.getQos() != Qos.AT_MOST_ONCE) {
            gate.register(clientId, packet.getPacketId(), append);
        }
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
