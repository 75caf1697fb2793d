package dev.edgeline.broker.internal;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.interceptor.puback.PubackOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.puback.parameter.PubackOutboundOutput;
import com.hivemq.extension.sdk.api.interceptor.pubrec.PubrecOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.pubrec.parameter.PubrecOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.pubrec.parameter.PubrecOutboundOutput;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import dev.edgeline.broker.spool.AppendOutcome;
import dev.edgeline.broker.spool.SpoolFullException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds each PUBACK (QoS 1) and PUBREC (QoS 2) until the spool reports its publish durable.
 *
 * <p>The publish interceptor registers the append future of every spooled QoS 1/2 publish under (client, packet
 * id) and lets the publish go on; this gate intercepts the outbound acknowledgement and, if the record is not durable
 * yet, holds it (HiveMQ's async output) until it is. Holding the acknowledgement rather than the inbound publish
 * lets one client have many records waiting for the same fsync (HiveMQ processes a client's next publish only after
 * the previous inbound interception finished), which is what makes group commit pay off.
 *
 * <p>A stored publish is acknowledged with reason code 0 (success), also when nobody on the broker subscribes to its
 * topic: HiveMQ would say 0x10 (no matching subscribers), which the specification counts as success but device
 * firmware that checks for 0 takes for a failure. The record is stored for Kafka; local subscribers are not what it is
 * for. Publishes this gate did not register (QoS 0, refusals) keep the broker's code.
 *
 * <p>If the append fails after the publish was let through, an error code cannot be put into an acknowledgement that
 * HiveMQ already made a success, so the client is disconnected with reason code 0x97 (quota exceeded, lane full) or
 * 0x80 and the reason as reason string, before the acknowledgement is released onto the closed connection. The
 * client keeps the publish and sends it again after reconnecting. Failures known at once (queue full) are refused
 * with a negative PUBACK by the publish interceptor instead.
 *
 * <p>Thread-safe; callbacks never block.
 */
public final class DurableAckGate implements PubackOutboundInterceptor, PubrecOutboundInterceptor {
    private static final Logger LOG = LoggerFactory.getLogger(DurableAckGate.class);
    /** Longest an acknowledgement is held; the spool completes every append long before (block timeout). */
    static final Duration HOLD_LIMIT = Duration.ofHours(1);

    private final Map<String, Map<Integer, CompletableFuture<AppendOutcome>>> pending = new ConcurrentHashMap<>();
    private final BiFunction<String, Throwable, CompletableFuture<Boolean>> disconnect;

    /** @param disconnect disconnects a client with the reason its publish could not be stored */
    public DurableAckGate(BiFunction<String, Throwable, CompletableFuture<Boolean>> disconnect) {
        this.disconnect = disconnect;
    }

    /** Reason code for disconnecting a client whose append failed. */
    public static DisconnectReasonCode reasonFor(Throwable failure) {
        return failure instanceof SpoolFullException ? DisconnectReasonCode.QUOTA_EXCEEDED
                : failure instanceof dev.edgeline.broker.spool.RecordRefusedException
                ? DisconnectReasonCode.IMPLEMENTATION_SPECIFIC_ERROR : DisconnectReasonCode.UNSPECIFIED_ERROR;
    }

    /** Registers the append of a QoS 1/2 publish, so that its acknowledgement waits for it. */
    public void register(String clientId, int packetId, CompletableFuture<AppendOutcome> append) {
        pending.computeIfAbsent(clientId, id -> new ConcurrentHashMap<>()).put(packetId, append);
    }

    @Override
    public void onOutboundPuback(@NotNull PubackOutboundInput input, @NotNull PubackOutboundOutput output) {
        String clientId = input.getClientInformation().getClientId();
        CompletableFuture<AppendOutcome> append = take(clientId, input.getPubackPacket().getPacketIdentifier());
        if (append == null) {
            return;
        }
        if (input.getPubackPacket().getReasonCode() == AckReasonCode.NO_MATCHING_SUBSCRIBERS) {
            output.getPubackPacket().setReasonCode(AckReasonCode.SUCCESS);
        }
        if (!isDurable(append)) {
            hold(clientId, append, output.async(HOLD_LIMIT));
        }
    }

    @Override
    public void onOutboundPubrec(@NotNull PubrecOutboundInput input, @NotNull PubrecOutboundOutput output) {
        String clientId = input.getClientInformation().getClientId();
        CompletableFuture<AppendOutcome> append = take(clientId, input.getPubrecPacket().getPacketIdentifier());
        if (append == null) {
            return;
        }
        if (input.getPubrecPacket().getReasonCode() == AckReasonCode.NO_MATCHING_SUBSCRIBERS) {
            output.getPubrecPacket().setReasonCode(AckReasonCode.SUCCESS);
        }
        if (!isDurable(append)) {
            hold(clientId, append, output.async(HOLD_LIMIT));
        }
    }

    private CompletableFuture<AppendOutcome> take(String clientId, int packetId) {
        Map<Integer, CompletableFuture<AppendOutcome>> byPacket = pending.get(clientId);
        return byPacket == null ? null : byPacket.remove(packetId);
    }

    private static boolean isDurable(CompletableFuture<AppendOutcome> append) {
        return append.isDone() && !append.isCompletedExceptionally();
    }

    private void hold(String clientId, CompletableFuture<AppendOutcome> append, Async<?> async) {
        append.whenComplete((outcome, error) -> {
            if (error == null) {
                async.resume();
                return;
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            LOG.warn("disconnecting client {}: a publish could not be stored: {}", clientId, cause.getMessage());
            disconnect.apply(clientId, cause).whenComplete((done, ignored) -> async.resume());
        });
    }

    /** Forgets a client's pending acknowledgements (it disconnected: they will not be sent). */
    public void forget(String clientId) {
        pending.remove(clientId);
    }

    /** Client lifecycle listener that forgets the pending acknowledgements of clients that go away. */
    public ClientLifecycleEventListener lifecycleListener() {
        return new ClientLifecycleEventListener() {
            @Override
            public void onMqttConnectionStart(@NotNull ConnectionStartInput input) {
                forget(input.getClientInformation().getClientId());
            }

            @Override
            public void onAuthenticationSuccessful(@NotNull AuthenticationSuccessfulInput input) {
                // nothing to do
            }

            @Override
            public void onDisconnect(@NotNull DisconnectEventInput input) {
                forget(input.getClientInformation().getClientId());
            }
        };
    }
}
