package dev.edgeline.config.internal;

import dev.edgeline.config.ConfigError;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects every configuration error, so that one run of validation reports them all, and which declared keys were
 * read. Not thread-safe.
 */
public final class ErrorSink {
    private final List<ConfigError> errors = new ArrayList<>();
    private final Set<String> keysRead = new LinkedHashSet<>();

    public void add(String path, String message) {
        errors.add(new ConfigError(path, message));
    }

    /** Whether an error was recorded at exactly {@code path}. */
    public boolean hasErrorAt(String path) {
        return errors.stream().anyMatch(e -> e.path().equals(path));
    }

    /** Notes that the loader read the declared key at {@code schemaPath} (present or not). */
    public void noteRead(String schemaPath) {
        keysRead.add(schemaPath);
    }

    /** The declared keys the loader read, by schema path: a test compares them with the schema's. */
    public Set<String> keysRead() {
        return Set.copyOf(keysRead);
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<ConfigError> errors() {
        return List.copyOf(errors);
    }
}
