package dev.edgeline.config.internal;

import dev.edgeline.config.ConfigSchema;
import dev.edgeline.config.Durations;
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
    private String schemaPath;
    private final ErrorSink errors;
    private final Map<String, Node> entries = new LinkedHashMap<>();
    private final Set<String> consumed = new LinkedHashSet<>();

    private YamlMap(String path, MappingNode node, ErrorSink errors) {
        this.path = path;
        this.schemaPath = path.replaceAll("\\[\\d+]", "[]");
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

    private String schemaChild(String key) {
        return schemaPath.isEmpty() ? key : schemaPath + "." + key;
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
        return of(child(key), node, errors).map(nested -> nested.declaredAs(schemaChild(key)));
    }

    /** An optional nested mapping. */
    public Optional<YamlMap> optionalMap(String key) {
        Node node = take(key);
        return node == null ? Optional.empty()
                : of(child(key), node, errors).map(nested -> nested.declaredAs(schemaChild(key)));
    }

    /** A required list; each element is handed to {@code reader} with its path ({@code key[i]}). */
    public <T> List<T> list(String key, ElementReader<T> reader) {
        String declaredPath = schemaChild(key);
        if (ConfigSchema.get().declares(declaredPath)) {
            errors.noteRead(declaredPath); // a list of values (not of mappings) is a key of its own
        }
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

    /**
     * A string; absent, the schema's default, or (without one) an error when the schema marks the key required and
     * {@code null} otherwise.
     */
    public @Nullable String string(String key) {
        ConfigSchema.ConfigKey declared = declaration(key);
        String defaultValue = declared.defaultValue() == null ? null : declared.defaultString();
        if (defaultValue == null && !declared.required() && !has(key)) {
            take(key);
            return null;
        }
        String value = scalar(key, defaultValue, Optional::of, "a string");
        List<Object> allowed = declared.allowed();
        if (value != null && !allowed.isEmpty() && declared.type().equals("string") && !allowed.contains(value)) {
            errors.add(child(key), "'" + value + "' is not one of: "
                    + String.join(", ", allowed.stream().map(String::valueOf).toList()));
            return null;
        }
        return value;
    }

    /**
     * A string whose default the loader computes from other keys (a listener's name from its position, a route's
     * lane when there is one lane); the schema declares the key without a default.
     */
    public @Nullable String string(String key, String computedDefault) {
        requireNoDeclaredDefault(key);
        return scalar(key, computedDefault, Optional::of, "a string");
    }

    /** An integer within the schema's bounds (and its default when absent). */
    public int integer(String key) {
        ConfigSchema.ConfigKey declared = declaration(key);
        long min = declared.minimum() == null ? Integer.MIN_VALUE : declared.minimum().longValue();
        long max = declared.maximum() == null ? Integer.MAX_VALUE : declared.maximum().longValue();
        return (int) bounded(key, declared.defaultValue() == null ? null : declared.defaultLong(), min, max);
    }

    /** A long within the schema's bounds (and its default when absent). */
    public long longValue(String key) {
        ConfigSchema.ConfigKey declared = declaration(key);
        return bounded(key, declared.defaultValue() == null ? null : declared.defaultLong(), lowerBound(declared),
                upperBound(declared));
    }

    /** A long within the schema's bounds, whose default the loader computes (a lane's budget: the spool's). */
    public long longValue(String key, long computedDefault) {
        ConfigSchema.ConfigKey declared = requireNoDeclaredDefault(key);
        return bounded(key, computedDefault, lowerBound(declared), upperBound(declared));
    }

    private static long lowerBound(ConfigSchema.ConfigKey declared) {
        return declared.minimum() == null ? Long.MIN_VALUE : declared.minimum().longValue();
    }

    private static long upperBound(ConfigSchema.ConfigKey declared) {
        return declared.maximum() == null ? Long.MAX_VALUE : declared.maximum().longValue();
    }

    private long bounded(String key, @Nullable Long defaultValue, long min, long max) {
        Long value = scalar(key, defaultValue, YamlMap::parseLong, "an integer");
        long placeholder = Math.max(min, Math.min(max, defaultValue == null ? 0 : defaultValue));
        if (value == null) {
            return placeholder;
        }
        if (value < min || value > max) {
            errors.add(child(key), value + " is out of range" + range(min, max));
            return placeholder;
        }
        return value;
    }

    private static String range(long min, long max) {
        if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
            return ": at least " + min;
        }
        return " " + min + ".." + max;
    }

    /** A number (the schema's default when absent). */
    public double decimal(String key) {
        ConfigSchema.ConfigKey declared = declaration(key);
        Double defaultValue = declared.defaultValue() == null ? null : declared.defaultDouble();
        Double value = scalar(key, defaultValue, YamlMap::parseDouble, "a number");
        return value != null ? value : defaultValue != null ? defaultValue : 0;
    }

    /** {@code true} or {@code false} (the schema's default when absent). */
    public boolean bool(String key) {
        ConfigSchema.ConfigKey declared = declaration(key);
        boolean defaultValue = declared.defaultBoolean();
        String text = scalar(key, Boolean.toString(defaultValue), Optional::of, "true or false");
        if ("true".equals(text) || "false".equals(text)) {
            return "true".equals(text);
        }
        if (text != null) {
            errors.add(child(key), "'" + text + "' is not true or false");
        }
        return defaultValue;
    }

    /** A duration (the schema's default when absent; a required one without it is an error, with 1 s in its place). */
    public Duration duration(String key) {
        ConfigSchema.ConfigKey declared = declaration(key);
        Duration defaultValue = declared.defaultValue() == null ? null : declared.defaultDuration();
        Duration value = scalar(key, defaultValue, Durations::parse, "a duration such as 250ms, 5s or 2m");
        return value != null ? value : defaultValue != null ? defaultValue : Duration.ofSeconds(1);
    }

    /**
     * One of {@code choices}, named in the file by {@code nameOf}; the schema's default when the key is absent.
     * Anything else is an error that lists the names, and gives {@code null}.
     */
    public <T> @Nullable T choice(String key, List<T> choices, Function<T, String> nameOf) {
        String text = string(key);
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

    /** A directory resolved against {@code baseDirectory} (the schema's default when absent). */
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

    /**
     * How the schema declares {@code key} of this mapping (default, bounds, allowed values); every accessor asks, so
     * a key read without being declared fails at once, and {@link ErrorSink#keysRead()} records which declared keys
     * the loader reads.
     */
    public ConfigSchema.ConfigKey declaration(String key) {
        String path = schemaChild(key);
        ConfigSchema.ConfigKey declared = ConfigSchema.get().keyAt(path);
        errors.noteRead(path);
        return declared;
    }

    /** The text of {@code key} when it is a scalar, without reading it (null otherwise). */
    public @Nullable String peek(String key) {
        return entries.get(key) instanceof ScalarNode scalar ? scalar.getValue() : null;
    }

    /** {@code value}, or the schema's default of {@code key} when the value was refused (so that reading goes on). */
    public String orDefault(@Nullable String value, String key) {
        return value != null ? value : declaration(key).defaultString();
    }

    private ConfigSchema.ConfigKey requireNoDeclaredDefault(String key) {
        ConfigSchema.ConfigKey declared = declaration(key);
        if (declared.defaultValue() != null) {
            throw new IllegalStateException(declared.path() + " has a default in the schema ("
                    + declared.defaultValue() + "): read it without passing another one");
        }
        return declared;
    }

    /**
     * Declares the schema path this mapping's keys are found under, when the loader learns it from the content (a
     * sensor's keys: {@code sensors[bme280]}).
     */
    public YamlMap declaredAs(String schemaPath) {
        this.schemaPath = schemaPath;
        return this;
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
