package dev.edgeline.broker.internal;

/**
 * The device's command traffic: {@code edge/<device>/commands/<target>} (a command, published by the command bridge)
 * and {@code edge/<device>/commands/<target>/response} (a responder's answer). It is delivered to its subscribers
 * and never spooled: the command bridge keeps commands and results durable in its own queue and writes them to Kafka
 * itself. Who may publish or subscribe to it is the clients' ACLs' business, as for any topic.
 */
final class CommandTopics {
    private final String prefix;

    CommandTopics(String device) {
        this.prefix = "edge/" + device + "/commands/";
    }

    /** Whether {@code topic} is a command or a response of this device. */
    boolean isCommandTraffic(String topic) {
        if (!topic.startsWith(prefix)) {
            return false;
        }
        int targetEnd = topic.indexOf('/', prefix.length());
        if (targetEnd < 0) {
            return topic.length() > prefix.length();
        }
        return targetEnd > prefix.length() && topic.length() == targetEnd + "/response".length()
                && topic.endsWith("/response");
    }
}
