package dev.edgeline.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks, before any service starts, that the directories the services write can be written: the spool, the
 * broker's data directory and the agent's state directory must each be a writable directory, or be creatable (the
 * nearest existing parent is a writable directory). Run where the services run, as their user (it says nothing
 * useful on another machine). Stateless.
 */
public final class WritableDirectories {
    private WritableDirectories() {}

    /** Throws with one error per directory that a service could not write. */
    public static void check(Path source, DeviceConfig config) throws InvalidConfigException {
        check(source, config, DeviceService.all());
    }

    /**
     * Throws with one error per directory that one of {@code services} writes and could not: the broker writes the
     * spool and its data directory, the bridge the spool (its cursors and status) and, with commands, the command
     * queue's directory (either runs the command bridge, as either runs the bridge), the agent its state directory.
     */
    public static void check(Path source, DeviceConfig config, Set<DeviceService> services)
            throws InvalidConfigException {
        List<ConfigError> errors = new ArrayList<>();
        if (services.contains(DeviceService.BROKER) || services.contains(DeviceService.BRIDGE)) {
            check(errors, "spool.directory", config.spool().directory());
            if (config.bridge().commands().enabled()) { // the command bridge runs where the bridge runs
                check(errors, "kafka.commands.directory", config.bridge().commands().directory());
            }
        }
        if (services.contains(DeviceService.BROKER)) {
            check(errors, "broker.data-directory", config.broker().dataDirectory());
        }
        if (services.contains(DeviceService.AGENT)) {
            check(errors, "agent.state-directory", config.agent().stateDirectory());
        }
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(source, errors);
        }
    }

    private static void check(List<ConfigError> errors, String path, Path directory) {
        Path absolute = directory.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            if (!Files.isDirectory(absolute)) {
                errors.add(new ConfigError(path, absolute + " exists and is not a directory"));
            } else if (!Files.isWritable(absolute)) {
                errors.add(new ConfigError(path, absolute + " is not writable by this user"));
            }
            return;
        }
        Path parent = absolute.getParent();
        while (parent != null && !Files.exists(parent)) {
            parent = parent.getParent();
        }
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            errors.add(new ConfigError(path, absolute + " does not exist and cannot be created: "
                    + (parent == null ? "no parent" : parent + (Files.isDirectory(parent) ? " is not writable"
                    : " is not a directory"))));
        }
    }
}
