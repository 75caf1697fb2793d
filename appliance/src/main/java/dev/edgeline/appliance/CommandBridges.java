package dev.edgeline.appliance;

import dev.edgeline.bridge.commands.CommandBridge;
import dev.edgeline.config.DeviceConfig;
import java.time.InstantSource;

/** Starts the command bridge beside the bridge, where the bridge runs, when {@code kafka.commands.enabled}. */
final class CommandBridges {
    private CommandBridges() {}

    /** The started command bridge, or null when commands are off. */
    static CommandBridge startIfEnabled(DeviceConfig config) {
        if (!config.bridge().commands().enabled()) {
            return null;
        }
        CommandBridge commands = new CommandBridge(config.bridge(), config.device().id(), config.agent().brokerUri(),
                InstantSource.system());
        commands.start();
        return commands;
    }
}
