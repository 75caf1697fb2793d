package dev.edgeline.agent;

/**
 * Told about each reading the broker acknowledged (it is then durable in the spool). Called on Paho's callback
 * thread while the publisher's outbox lock is held: implementations must be quick, must not block and must not call
 * back into the agent.
 */
@FunctionalInterface
public interface ReadingListener {
    void acknowledged(Reading reading);

    ReadingListener NONE = reading -> { };
}
