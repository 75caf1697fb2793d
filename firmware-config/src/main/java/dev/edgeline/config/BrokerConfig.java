package dev.edgeline.config;

import java.nio.file.Path;

/**
 * The embedded MQTT broker.
 *
 * @param host          address the MQTT listener binds to (127.0.0.1 unless the LAN must reach it)
 * @param port          MQTT listener port
 * @param dataDirectory the broker's own working files (its session store when persistent)
 * @param sessionPersistence whether MQTT sessions survive a broker restart; the spool is durable either way
 */
public record BrokerConfig(String host, int port, Path dataDirectory, SessionPersistence sessionPersistence) {

    /** Where the broker keeps MQTT sessions and queued messages for subscribers. */
    public enum SessionPersistence {
        /** Sessions live in memory (no RocksDB, no SD-card writes); lost on broker restart. */
        IN_MEMORY,
        /** Sessions are kept on disk in the data directory and survive restarts. */
        FILE
    }
}
