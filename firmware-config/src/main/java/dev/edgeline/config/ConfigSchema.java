package dev.edgeline.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Every configuration key, declared once: the device configuration's JSON Schema
 * ({@code render/device-config.schema.json}, what {@code bin/edge config schema} prints) names each key with its
 * type, default, bounds, allowed values and documentation. The loader takes defaults and bounds from here
 * ({@link dev.edgeline.config.internal.YamlMap} refuses a key that is not declared), the records' default constants
 * are read from here, and the reference table in firmware-config/README.md is generated from here
 * ({@link ConfigReference}); tests fail when any of them disagree.
 *
 * <p>Keys are named by their path: {@code spool.segment-bytes}, list elements with {@code []}
 * ({@code kafka.routes[].format}), and a sensor's keys with its type ({@code sensors[bme280].address}). Which
 * services must restart to apply a key follows from its section ({@link ConfigKey#restarts()}); no key is applied
 * without a restart.
 */
public final class ConfigSchema {
    private static final String RESOURCE = "render/device-config.schema.json";
    private static final ConfigSchema INSTANCE = load();

    private final Map<String, ConfigKey> keys;

    private ConfigSchema(Map<String, ConfigKey> keys) {
        this.keys = Collections.unmodifiableMap(keys);
    }

    /** One configuration key as the schema declares it. */
    public record ConfigKey(String path, String type, @Nullable Object defaultValue, @Nullable Number minimum,
                            @Nullable Number maximum, List<Object> allowed, String description, boolean required,
                            Set<DeviceService> restarts) {
        public ConfigKey {
            allowed = List.copyOf(allowed);
            restarts = Set.copyOf(restarts);
        }

        public int defaultInt() {
            return ((Number) requireDefault()).intValue();
        }

        public long defaultLong() {
            return ((Number) requireDefault()).longValue();
        }

        public double defaultDouble() {
            return ((Number) requireDefault()).doubleValue();
        }

        public String defaultString() {
            return String.valueOf(requireDefault());
        }

        public boolean defaultBoolean() {
            return (Boolean) requireDefault();
        }

        public Duration defaultDuration() {
            return Durations.parse(defaultString()).orElseThrow(() -> new IllegalStateException(
                    path + ": the schema's default '" + defaultValue + "' is not a duration"));
        }

        /** The default list of strings. */
        public List<String> defaultStrings() {
            return ((List<?>) requireDefault()).stream().map(String::valueOf).toList();
        }

        private Object requireDefault() {
            if (defaultValue == null) {
                throw new IllegalStateException(path + " has no default in the configuration schema");
            }
            return defaultValue;
        }
    }

    /** The schema on the class path (read once). */
    public static ConfigSchema get() {
        return INSTANCE;
    }

    /** Shorthand for {@code get().key(path)}. */
    public static ConfigKey key(String path) {
        return INSTANCE.keyAt(path);
    }

    /**
     * The key at {@code path}.
     *
     * @throws IllegalStateException when the schema does not declare it: a key must be declared before code reads it
     */
    public ConfigKey keyAt(String path) {
        ConfigKey key = keys.get(path);
        if (key == null) {
            throw new IllegalStateException("configuration key " + path + " is not declared in " + RESOURCE
                    + ": declare it there (type, default, bounds, description) before reading it");
        }
        return key;
    }

    public boolean declares(String path) {
        return keys.containsKey(path);
    }

    /** Every key, in the schema's order. */
    public List<ConfigKey> keys() {
        return List.copyOf(keys.values());
    }

    /** The schema's text. */
    public static String text() {
        try (InputStream in = ConfigSchema.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ConfigSchema load() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(1 << 24);
        Map<?, ?> root = new Yaml(options).load(text());
        Map<String, ConfigKey> keys = new LinkedHashMap<>();
        walkObject(root, "", keys, Set.of());
        return new ConfigSchema(keys);
    }

    private static void walkObject(Map<?, ?> node, String prefix, Map<String, ConfigKey> keys,
                                   Set<DeviceService> inherited) {
        Map<?, ?> properties = (Map<?, ?>) node.get("properties");
        if (properties == null) {
            return;
        }
        List<?> required = node.get("required") instanceof List<?> list ? list : List.of();
        for (Map.Entry<?, ?> entry : properties.entrySet()) {
            String name = String.valueOf(entry.getKey());
            Map<?, ?> child = (Map<?, ?>) entry.getValue();
            String path = prefix.isEmpty() ? name : prefix + "." + name;
            Set<DeviceService> restarts = prefix.isEmpty() ? restartsOf(name) : inherited;
            Object type = child.get("type");
            Map<?, ?> items = child.get("items") instanceof Map<?, ?> m ? m : null;
            if ("object".equals(type) && child.containsKey("properties")) {
                walkObject(child, path, keys, restarts);
            } else if ("array".equals(type) && items != null && items.containsKey("oneOf")) {
                for (Object variant : (List<?>) items.get("oneOf")) {
                    Map<?, ?> branch = (Map<?, ?>) variant;
                    Object kind = ((Map<?, ?>) ((Map<?, ?>) branch.get("properties")).get("type")).get("const");
                    walkObject(branch, path + "[" + kind + "]", keys, restarts);
                }
            } else if ("array".equals(type) && items != null && "object".equals(items.get("type"))) {
                walkObject(items, path + "[]", keys, restarts);
            } else {
                keys.put(path, new ConfigKey(path, typeOf(child), child.get("default"), number(child, "minimum"),
                        number(child, "maximum"), child.get("enum") instanceof List<?> e ? new ArrayList<>(e)
                        : child.containsKey("const") ? List.of(child.get("const")) : List.of(),
                        child.get("description") == null ? "" : String.valueOf(child.get("description")), required.contains(name), restarts));
            }
        }
    }

    private static String typeOf(Map<?, ?> node) {
        Object type = node.get("type");
        if (type == null) {
            return node.containsKey("const") ? "constant" : "any";
        }
        if ("string".equals(type) && String.valueOf(node.get("pattern")).contains("(ms|s|m|h)")) {
            return "duration";
        }
        if ("array".equals(type) && node.get("items") instanceof Map<?, ?> items) {
            return "list of " + (items.get("type") == null ? "values" : items.get("type"));
        }
        return String.valueOf(type);
    }

    private static @Nullable Number number(Map<?, ?> node, String name) {
        return node.get(name) instanceof Number n ? n : null;
    }

    /** Which services read a top-level section, and so must restart when a key of it changes. */
    private static Set<DeviceService> restartsOf(String section) {
        return switch (section) {
            case "broker" -> EnumSet.of(DeviceService.BROKER);
            case "spool", "monitoring" -> EnumSet.of(DeviceService.BROKER, DeviceService.BRIDGE);
            case "kafka" -> EnumSet.of(DeviceService.BRIDGE, DeviceService.BROKER);
            case "agent", "sensors" -> EnumSet.of(DeviceService.AGENT);
            default -> DeviceService.all();
        };
    }
}
