package dev.edgeline.config;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** Thrown when a device configuration has one or more errors; carries every one of them. */
public final class InvalidConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path source;
    private final List<ConfigError> errors;

    public InvalidConfigException(Path source, List<ConfigError> errors) {
        super(describe(source, errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid config has at least one error");
        }
        this.source = source;
        this.errors = List.copyOf(errors);
    }

    public Path source() {
        return source;
    }

    public List<ConfigError> errors() {
        return errors;
    }

    private static String describe(Path source, List<ConfigError> errors) {
        return errors.size() + " error(s) in " + source + ":\n" + errors.stream()
                .map(e -> "  " + e)
                .collect(Collectors.joining("\n"));
    }
}
