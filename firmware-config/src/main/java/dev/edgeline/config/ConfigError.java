package dev.edgeline.config;

import java.util.Objects;

/**
 * One problem found in a device configuration: where it is and what is wrong.
 *
 * @param path    the YAML path of the offending value, such as {@code sensors[2].period}; {@code <file>}
 *                for problems with the file as a whole
 * @param message what is wrong, naming the offending value where there is one
 */
public record ConfigError(String path, String message) {
    public ConfigError {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
        return path + ": " + message;
    }
}
