package dev.edgeline.config;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The parts of the appliance that read a device's configuration and the files it names: the broker, the cloud
 * bridge and the agent. On a provisioned device each runs as its own system user (the bridge as the broker's when it
 * runs inside edge-broker), so each may read only its own secrets; the loader checks, and provisioning grants, the
 * files of each part separately ({@link NamedFile#readers()}).
 */
public enum DeviceService {
    BROKER, BRIDGE, AGENT;

    /** The name in {@code provisioning.json} and on command lines ({@code config validate --service broker,bridge}). */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Set<DeviceService> all() {
        return EnumSet.allOf(DeviceService.class);
    }

    public static Set<DeviceService> none() {
        return EnumSet.noneOf(DeviceService.class);
    }

    /**
     * Parses a comma-separated list of {@link #configName()}s ({@code broker,bridge}); {@code all} and
     * {@code none} are accepted too.
     *
     * @throws IllegalArgumentException naming the unknown part
     */
    public static Set<DeviceService> parseList(String text) {
        String trimmed = text.trim();
        if (trimmed.equals("all")) {
            return all();
        }
        Set<DeviceService> services = none();
        if (trimmed.equals("none")) {
            return services;
        }
        for (String part : trimmed.split(",", -1)) {
            String name = part.trim();
            DeviceService match = null;
            for (DeviceService service : values()) {
                if (service.configName().equals(name)) {
                    match = service;
                }
            }
            if (match == null) {
                throw new IllegalArgumentException("'" + name + "' is not a service (broker, bridge, agent; or all, "
                        + "none)");
            }
            services.add(match);
        }
        return services;
    }
}
