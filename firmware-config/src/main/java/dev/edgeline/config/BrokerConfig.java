package dev.edgeline.config;

import java.nio.file.Path;

/**
 * The embedded MQTT broker.
 *
 * @param host          address the MQTT listener binds to (127.0.0.1 unless the LAN must reach it)
 * @param port          MQTT listener port
 * @param dataDirectory the broker's own session store (not the spool)
 */
public record BrokerConfig(String host, int port, Path dataDirectory) {}
