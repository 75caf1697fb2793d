package dev.edgeline.config;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The reference table of every configuration key, generated from {@link ConfigSchema}: the table in
 * firmware-config/README.md is this text ({@code bin/edge config reference} prints it; a test fails when they differ).
 */
public final class ConfigReference {
    /** The keys of each of broker.listeners[] are those of broker.listener: one row each is enough. */
    private static final String SAME_AS_LISTENER = "broker.listeners[].";

    private ConfigReference() {}

    /** The Markdown table, with a line after it for the keys it names once. */
    public static String markdown() {
        StringBuilder table = new StringBuilder();
        table.append("| key | type | default | allowed | restart | meaning |\n");
        table.append("|---|---|---|---|---|---|\n");
        for (ConfigSchema.ConfigKey key : ConfigSchema.get().keys()) {
            if (key.path().startsWith(SAME_AS_LISTENER) || "constant".equals(key.type())) {
                continue;
            }
            table.append("| `").append(key.path()).append("` | ").append(key.type()).append(" | ")
                    .append(defaultOf(key)).append(" | ").append(allowedOf(key)).append(" | ")
                    .append(key.restarts().stream().map(DeviceService::configName).sorted()
                            .collect(Collectors.joining(", ")))
                    .append(" | ").append(key.description().replace("|", "\\|")).append(" |\n");
        }
        table.append("\n`broker.listeners[]` (several listeners, instead of `broker.listener`) takes the keys of "
                + "`broker.listener` in each element; a sensor's `type` picks which `sensors[<type>]` keys apply. "
                + "Every key takes effect when the services in its restart column restart.\n");
        return table.toString();
    }

    private static String defaultOf(ConfigSchema.ConfigKey key) {
        if (key.required()) {
            return "required";
        }
        Object value = key.defaultValue();
        if (value == null) {
            return "none";
        }
        if (value instanceof List<?> list) {
            return list.stream().map(v -> "`" + v + "`").collect(Collectors.joining(", "));
        }
        if (value instanceof Number number) {
            return number(number);
        }
        return "`" + (value.toString().isEmpty() ? "\"\"" : value) + "`";
    }

    private static String allowedOf(ConfigSchema.ConfigKey key) {
        if (!key.allowed().isEmpty()) {
            return key.allowed().stream().map(v -> "`" + v + "`").collect(Collectors.joining(" \\| "));
        }
        Number min = key.minimum();
        Number max = key.maximum();
        if (min != null && max != null) {
            return number(min) + ".." + number(max);
        }
        if (min != null) {
            return "at least " + number(min);
        }
        if (max != null) {
            return "at most " + number(max);
        }
        return "";
    }

    /** Integers of six digits and more with thousands separators (byte sizes), the rest as written. */
    private static String number(Number value) {
        if (value instanceof Double d) {
            return d % 1 == 0 ? Long.toString(d.longValue()) : d.toString();
        }
        long n = value.longValue();
        return Math.abs(n) >= 100_000 ? String.format(Locale.ROOT, "%,d", n) : Long.toString(n);
    }
}
