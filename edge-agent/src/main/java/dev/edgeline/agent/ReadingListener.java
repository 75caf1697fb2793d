package dev.edgeline.agent;

/**
 * Told about each reading the broker acknowledged (it is then durable in the spool). Called on Paho's callback
 * thread: implementations must be quick and must not block.
 */
@FunctionalInterface
public interface ReadingListener {
    void acknowledged(Reading reading);

    ReadingListener NONE = reading -> { };
}
