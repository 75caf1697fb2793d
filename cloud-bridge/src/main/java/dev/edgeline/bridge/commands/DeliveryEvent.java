package dev.edgeline.bridge.commands;

/** What the local broker told the command bridge, on Paho's threads; handled on the bridge's own thread. */
sealed interface DeliveryEvent {
    /** The broker acknowledged a command's publish with {@code reasonCode} (0: sent on to a subscriber). */
    record Acknowledged(String commandId, int reasonCode) implements DeliveryEvent {}

    /** A command's publish failed (connection lost before the acknowledgement). */
    record NotAcknowledged(String commandId, String why) implements DeliveryEvent {}

    /** A responder answered: {@code rejected} or {@code completed}, with its reason and payload. */
    record Response(String commandId, boolean rejected, String reason, byte[] payload) implements DeliveryEvent {}

    /** The connection to the local broker was lost. */
    record ConnectionLost(String why) implements DeliveryEvent {}
}
