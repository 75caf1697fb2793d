package dev.edgeline.bridge.commands;

import java.io.IOException;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command bridge's work on the device, which needs no Kafka: publishes the oldest pending command of each target
 * on the local broker (the next one of a target once this one ended), retries one nobody subscribed to (1 s doubling
 * to 30 s), settles commands in the {@link CommandQueue} from what the broker and the responders said
 * ({@link DeliveryEvent}s, queued by Paho's thread), and expires what is due. Used by the command bridge's thread,
 * with Kafka and while Kafka cannot be reached; {@link #onEvent} from Paho's.
 */
final class DeviceDelivery implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceDelivery.class);
    private static final int NO_MATCHING_SUBSCRIBERS = 0x10;
    private static final long RETRY_FIRST_MILLIS = 1_000;
    private static final long RETRY_MAX_MILLIS = 30_000;

    /** One publish of a command: whether the broker passed it on, and when to try again if nobody subscribed. */
    private static final class Attempt {
        boolean acknowledged;
        long retryAtMillis = Long.MAX_VALUE;
        long retryDelayMillis = RETRY_FIRST_MILLIS;
    }

    private final CommandQueue queue;
    private final CommandDelivery delivery;
    private final InstantSource clock;
    private final String logPrefix;
    private final LinkedBlockingQueue<DeliveryEvent> events = new LinkedBlockingQueue<>();
    private final Map<String, Attempt> attempts = new HashMap<>();
    private long nextMqttAttemptMillis;

    DeviceDelivery(CommandQueue queue, CommandDelivery delivery, InstantSource clock, String logPrefix) {
        this.queue = queue;
        this.delivery = delivery;
        this.clock = clock;
        this.logPrefix = logPrefix;
    }

    /** Paho's thread: what the broker or a responder said. */
    void onEvent(DeliveryEvent event) {
        events.add(event);
    }

    boolean hasEvents() {
        return !events.isEmpty();
    }

    /** Whether commands are on their way (their answers are awaited). */
    boolean awaitingAnswers() {
        return !attempts.isEmpty();
    }

    /** Handles what the broker said, expires what is due, delivers the next commands. */
    void workOnTheDevice() throws IOException {
        DeliveryEvent event;
        while ((event = events.poll()) != null) {
            handle(event);
        }
        for (CommandResult expired : queue.expireDue()) {
            attempts.remove(expired.commandId());
        }
        deliver();
    }

    private void handle(DeliveryEvent event) throws IOException {
        switch (event) {
            case DeliveryEvent.Acknowledged a -> acknowledged(a.commandId(), a.reasonCode());
            case DeliveryEvent.NotAcknowledged n -> attempts.remove(n.commandId());
            case DeliveryEvent.Response r -> {
                if (queue.settle(r.commandId(), r.rejected() ? CommandState.REJECTED : CommandState.COMPLETED,
                        r.reason(), r.payload()).isEmpty()) {
                    LOG.info("{}response to {}, which is not pending (ended already, or never received): ignored",
                            logPrefix, r.commandId());
                }
                attempts.remove(r.commandId());
            }
            case DeliveryEvent.ConnectionLost l -> {
                // Publishes the broker never acknowledged go again; acknowledged ones wait for their response,
                // which the broker keeps in this client's session.
                attempts.values().removeIf(a -> !a.acknowledged);
                LOG.info("{}connection to the local broker lost: {}", logPrefix, l.why());
            }
        }
    }

    private void acknowledged(String id, int reasonCode) throws IOException {
        Attempt attempt = attempts.get(id);
        var command = queue.pendingCommand(id);
        if (attempt == null || command.isEmpty()) {
            return;
        }
        if (reasonCode == NO_MATCHING_SUBSCRIBERS) {
            attempt.retryAtMillis = clock.millis() + attempt.retryDelayMillis;
            attempt.retryDelayMillis = Math.min(RETRY_MAX_MILLIS, attempt.retryDelayMillis * 2);
        } else if (reasonCode >= 0x80) {
            queue.settle(id, CommandState.FAILED, "the local broker refused the command (reason code 0x"
                    + Integer.toHexString(reasonCode) + ")", new byte[0]);
            attempts.remove(id);
        } else if (!command.get().responseRequired()) {
            queue.settle(id, CommandState.DELIVERED, "", new byte[0]);
            attempts.remove(id);
        } else {
            attempt.acknowledged = true;
        }
    }

    /** Publishes the first pending command of each target that is not on its way already. */
    private void deliver() {
        long now = clock.millis();
        if (!delivery.connected()) {
            if (now < nextMqttAttemptMillis) {
                return;
            }
            CommandDelivery.Connection connection = delivery.connect();
            if (connection == CommandDelivery.Connection.FAILED) {
                nextMqttAttemptMillis = now + 2_000;
                return;
            }
            if (connection == CommandDelivery.Connection.NEW_SESSION) {
                // The broker lost this client's session (it restarted): an answer sent before is gone with it, so
                // the commands on their way go again (a responder may see one twice; docs/commands.md says so).
                attempts.clear();
            }
        }
        for (Command head : queue.heads()) {
            Attempt attempt = attempts.get(head.id());
            if (attempt != null && (attempt.acknowledged || now < attempt.retryAtMillis)) {
                continue;
            }
            Attempt next = attempt != null ? attempt : new Attempt();
            next.retryAtMillis = Long.MAX_VALUE;
            if (delivery.publish(head)) {
                attempts.put(head.id(), next);
            }
        }
    }

    @Override
    public void close() {
        delivery.close();
    }
}
