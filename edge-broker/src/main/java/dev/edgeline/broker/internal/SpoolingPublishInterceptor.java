package dev.edgeline.broker.internal;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.general.UserProperty;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.PublishPacket;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.broker.spool.SpoolException;
import dev.edgeline.broker.spool.SpoolFullException;
import dev.edgeline.config.BridgeConfig;
import dev.edgeline.config.ClockSync;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends every publish on a bridged topic to the spool and holds its acknowledgement (PUBACK for QoS 1, PUBREC for
 * QoS 2) until the spool reports the record durable. A publish the spool refuses is not delivered and is
 * acknowledged with an error reason code (0x97 quota exceeded when the lane is full, 0x80 otherwise) and a reason
 * string, so the publisher keeps it and retries. The route's lane decides where the record goes. QoS 0 publishes
 * have no acknowledgement to hold: they are appended the same way, at most once.
 *
 * <p>Called on HiveMQ's extension threads; never blocks (the spool completes the hold on its writer thread).
 */
public final class SpoolingPublishInterceptor implements PublishInboundInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(SpoolingPublishInterceptor.class);
    /** Longest an acknowledgement waits for the disk before the publish is refused. */
    static final Duration DURABILITY_TIMEOUT = Duration.ofSeconds(30);

    private final Spool spool;
    private final BridgeConfig routes;
    private final PublishIdentity identity;
    private final ClockSync clockSync;
    private final InstantSource clock;

    public SpoolingPublishInterceptor(Spool spool, BridgeConfig routes, PublishIdentity identity, ClockSync clockSync,
                                      InstantSource clock) {
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
        Async<PublishInboundOutput> hold = output.async(DURABILITY_TIMEOUT, TimeoutFallback.FAILURE,
                AckReasonCode.UNSPECIFIED_ERROR, "the spool did not confirm the write within " + DURABILITY_TIMEOUT);
        spool.append(route.get().lane(), record).whenComplete((outcome, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                String reason = cause instanceof SpoolException ? cause.getMessage() : "spool failure: " + cause;
                LOG.debug("publish from {} on {} refused: {}", clientId, topic, reason);
                output.preventPublishDelivery(cause instanceof SpoolFullException ? AckReasonCode.QUOTA_EXCEEDED
                        : AckReasonCode.UNSPECIFIED_ERROR, reason);
            }
            hold.resume();
        });
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
