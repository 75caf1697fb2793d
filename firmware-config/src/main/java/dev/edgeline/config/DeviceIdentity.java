package dev.edgeline.config;

/**
 * Who this device is.
 *
 * @param id   the device id, unique in the fleet; the {@code device} of every record it produces
 * @param site where the device is installed (a free-form label carried to the cloud)
 */
public record DeviceIdentity(String id, String site) {}
