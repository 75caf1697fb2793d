package dev.edgeline.config.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A typed, path-aware view of one YAML mapping. Every accessor reports problems to the {@link ErrorSink} with the
 * full path of the value ({@code sensors[2].period}) and returns a placeholder so that reading can go on and find
 * the other errors. {@link #rejectUnknownKeys()} reports keys that no accessor asked for: a misspelt key is an
 * error, never silently ignored. Not thread-safe.
 */
public final class YamlMap {
    private final String path;
    private final ErrorSink errors;
    private final Map<String, Node> entries = new LinkedHashMap<>();
    private final Set<String> consumed = new LinkedHashSet<>();

    private YamlMap(String path, MappingNode node, ErrorSink errors) {
        this.path = path;
        this.errors = errors;
        for (NodeTuple tuple : node.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                errors.add(path.isEmpty() ? "<root>" : path, "keys must be plain strings" + at(tuple.getKeyNode()));
                continue;
            }
            String key = keyNode.getValue();
            if (entries.putIfAbsent(key, tuple.getValueNode()) != null) {
                errors.add(child(key), "duplicate key" + at(keyNode));
            }
        }
    }

    /** A view of {@code node}, or empty (with an error) when it is not a mapping. */
    public static Optional<YamlMap> of(String path, Node node, ErrorSink errors) {
        if (node instanceof MappingNode mapping) {
            return Optional.of(new YamlMap(path, mapping, errors));
        }
        errors.add(path.isEmpty() ? "<root>" : path, "must be a mapping (key: value lines), found " + describe(node));
        return Optional.empty();
    }

    public String path() {
        return path;
    }

    public String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public boolean has(String key) {
        return entries.containsKey(key);
    }

    /** A required nested mapping; empty (with an error) when missing or not a mapping. */
    public Optional<YamlMap> map(String key) {
        Node node = take(key);
        if (node == null) {
            errors.add(child(key), "is required");
            return Optional.empty();
        }
        return of(child(key), node, errors);
    }

    /** An optional nested mapping. */
    public Optional<YamlMap> optionalMap(String key) {
        Node node = take(key);
        return node == null ? Optional.empty() : of(child(key), node, errors);
    }

    /** A required list; each element is handed to {@code reader} with its path ({@code key[i]}). */
    public <T> List<T> list(String key, ElementReader<T> reader) {
        Node node = take(key);
        List<T> result = new ArrayList<>();
        if (node == null) {
            errors.add(child(key), "is required");
            return result;
        }
        if (!(node instanceof SequenceNode sequence)) {
            errors.add(child(key), "must be a list, found " + describe(node));
            return result;
        }
        List<Node> items = sequence.getValue();
        for (int i = 0; i < items.size(); i++) {
            reader.read(child(key) + "[" + i + "]", items.get(i)).ifPresent(result::add);
        }
        return result;
    }

    /** Reads one list element. */
    @FunctionalInterface
    public interface ElementReader<T> {
        Optional<T> read(String path, Node node);
    }

    public String string(String key) {
        return scalar(key, null, Optional::of, "a string");
    }

    public String string(String key, String defaultValue) {
        return scalar(key, defaultValue, Optional::of, "a string");
    }

    public int integer(String key, int min, int max) {
        return integerOr(key, null, min, max);
    }

    public int integer(String key, int defaultValue, int min, int max) {
        return integerOr(key, defaultValue, min, max);
    }

    private int integerOr(String key, @Nullable Integer defaultValue, int min, int max) {
        Long value = scalar(key, defaultValue == null ? null : defaultValue.longValue(), YamlMap::parseLong,
                "an integer");
        if (value == null) {
            return min;
        }
        if (value < min || value > max) {
            errors.add(child(key), value + " is out of range " + min + ".." + max);
            return min;
        }
        return value.intValue();
    }

    public long longValue(String key, long defaultValue, long min, long max) {
        Long value = scalar(key, defaultValue, YamlMap::parseLong, "an integer");
        if (value == null) {
            return min;
        }
        if (value < min || value > max) {
            errors.add(child(key), value + " is out of range " + min + ".." + max);
            return min;
        }
        return value;
    }

    public double decimal(String key, double defaultValue) {
        Double value = scalar(key, defaultValue, YamlMap::parseDouble, "a number");
        return value == null ? defaultValue : value;
    }

    public Duration duration(String key) {
        Duration value = scalar(key, null, Durations::parse, "a duration such as 250ms, 5s or 2m");
        return value == null ? Duration.ofSeconds(1) : value;
    }

    public Duration duration(String key, Duration defaultValue) {
        Duration value = scalar(key, defaultValue, Durations::parse, "a duration such as 250ms, 5s or 2m");
        return value == null ? defaultValue : value;
    }

    /**
     * One of {@code choices}, named in the file by {@code nameOf}; {@code defaultValue} when the key is absent.
     * Anything else is an error that lists the names, and gives {@code null}.
     */
    public <T> @Nullable T choice(String key, T defaultValue, List<T> choices, Function<T, String> nameOf) {
        String text = string(key, nameOf.apply(defaultValue));
        if (text == null) {
            return null;
        }
        for (T choice : choices) {
            if (nameOf.apply(choice).equals(text)) {
                return choice;
            }
        }
        errors.add(child(key), "'" + text + "' is not one of: "
                + String.join(", ", choices.stream().map(nameOf).toList()));
        return null;
    }

    public Path directory(String key, Path baseDirectory) {
        String value = string(key);
        if (value == null || value.isBlank()) {
            if (value != null) {
                errors.add(child(key), "must not be empty");
            }
            return baseDirectory;
        }
        return baseDirectory.resolve(value).normalize();
    }

    /** Reports every key of this mapping that no accessor read. Call after reading all known keys. */
    public void rejectUnknownKeys() {
        for (Map.Entry<String, Node> entry : entries.entrySet()) {
            if (!consumed.contains(entry.getKey())) {
                errors.add(child(entry.getKey()), "unknown key" + at(entry.getValue())
                        + "; known keys here: " + String.join(", ", consumed));
            }
        }
    }

    /**
     * Whether {@code key} was read without an error: a check across keys uses a value only when it is the user's own
     * (a value out of range is replaced by a placeholder that must never appear in another message).
     */
    public boolean isValid(String key) {
        return !errors.hasErrorAt(child(key));
    }

    /** How many elements the list at {@code key} has as written (0 when it is absent or not a list). */
    public int sizeOf(String key) {
        return entries.get(key) instanceof SequenceNode sequence ? sequence.getValue().size() : 0;
    }

    /** Records an error about {@code key} of this mapping. */
    public void error(String key, String message) {
        errors.add(child(key), message);
    }

    private @Nullable Node take(String key) {
        consumed.add(key);
        return entries.get(key);
    }

    private <T> @Nullable T scalar(String key, @Nullable T defaultValue, Function<String, Optional<T>> parser,
                                   String expected) {
        Node node = take(key);
        if (node == null) {
            if (defaultValue == null) {
                errors.add(child(key), "is required");
            }
            return defaultValue;
        }
        if (!(node instanceof ScalarNode scalar)) {
            errors.add(child(key), "must be " + expected + ", found " + describe(node));
            return null;
        }
        Optional<T> parsed = parser.apply(scalar.getValue());
        if (parsed.isEmpty()) {
            errors.add(child(key), "'" + scalar.getValue() + "' is not " + expected);
            return null;
        }
        return parsed.get();
    }

    private static Optional<Long> parseLong(String text) {
        try {
            String t = text.replace("_", "");
            if (t.startsWith("0x") || t.startsWith("0X")) {
                return Optional.of(Long.parseLong(t.substring(2), 16));
            }
            return Optional.of(Long.parseLong(t));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Double> parseDouble(String text) {
        try {
            double value = Double.parseDouble(text);
            return Double.isFinite(value) ? Optional.of(value) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    static String describe(Node node) {
        return switch (node) {
            case MappingNode m -> "a mapping" + at(m);
            case SequenceNode s -> "a list" + at(s);
            case ScalarNode s -> "'" + s.getValue() + "'" + at(s);
            default -> "a " + node.getNodeId() + at(node);
        };
    }

    static String at(Node node) {
        return node.getStartMark() == null ? "" : " (line " + (node.getStartMark().getLine() + 1) + ")";
    }
}
