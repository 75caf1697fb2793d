package dev.edgeline.appliance;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Command-line options of the form {@code --name value}, plus positional arguments. Unknown options are errors. */
public final class Arguments {
    private final Map<String, String> options = new HashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Set<String> flags = new java.util.HashSet<>();

    private Arguments() {}

    public static Arguments parse(List<String> args, Set<String> known) throws UsageException {
        return parse(args, known, Set.of());
    }

    /** As {@link #parse(List, Set)}, with {@code knownFlags}: options without a value ({@code --streams}). */
    public static Arguments parse(List<String> args, Set<String> known, Set<String> knownFlags) throws UsageException {
        Arguments parsed = new Arguments();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.startsWith("--")) {
                String name = arg.substring(2);
                if (knownFlags.contains(name)) {
                    parsed.flags.add(name);
                    continue;
                }
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageException("option --" + name + " needs a value");
                }
                if (!known.contains(name)) {
                    Set<String> all = new java.util.TreeSet<>(known);
                    all.addAll(knownFlags);
                    throw new UsageException("unknown option --" + name + " (known: "
                            + (all.isEmpty() ? "none" : "--" + String.join(", --", all)) + ")");
                }
                parsed.options.put(name, value);
            } else {
                parsed.positional.add(arg);
            }
        }
        return parsed;
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    public Path path(String name, Path defaultValue) {
        return option(name).map(Path::of).orElse(defaultValue);
    }

    public Path requiredPath(String name) throws UsageException {
        return option(name).map(Path::of).orElseThrow(() -> new UsageException("--" + name + " is required"));
    }

    public Optional<Duration> duration(String name) throws UsageException {
        Optional<String> text = option(name);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        var matcher = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(text.get());
        if (!matcher.matches()) {
            throw new UsageException("--" + name + " '" + text.get() + "' is not a duration such as 60s, 5m, 1h or 7d");
        }
        long amount = Long.parseLong(matcher.group(1));
        return Optional.of(switch (matcher.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        });
    }

    /**
     * {@code --name} as a TCP port from {@code lowest} (0: any free port) to 65535, if given.
     *
     * @throws UsageException when it is not a number or out of that range
     */
    public Optional<Integer> port(String name, int lowest) throws UsageException {
        Optional<String> text = option(name);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        int port;
        try {
            port = Integer.parseInt(text.get());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + name + " '" + text.get() + "' is not a number");
        }
        if (port < lowest || port > 65535) {
            throw new UsageException("--" + name + " " + port + " is out of range " + lowest + "..65535");
        }
        return Optional.of(port);
    }

    public List<String> positional() {
        return positional;
    }

    /** A wrong command line; the message says what. */
    public static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }
    }
}
