package dev.edgeline.config.internal;

import dev.edgeline.config.ConfigError;
import java.util.ArrayList;
import java.util.List;

/** Collects every configuration error, so that one run of validation reports them all. Not thread-safe. */
public final class ErrorSink {
    private final List<ConfigError> errors = new ArrayList<>();

    public void add(String path, String message) {
        errors.add(new ConfigError(path, message));
    }

    /** Whether an error was recorded at exactly {@code path}. */
    public boolean hasErrorAt(String path) {
        return errors.stream().anyMatch(e -> e.path().equals(path));
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<ConfigError> errors() {
        return List.copyOf(errors);
    }
}
