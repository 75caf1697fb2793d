package dev.edgeline.config;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * An MQTT topic filter such as {@code edge/+/temperature} or {@code lan/#}, matched as the MQTT 5 specification
 * (section 4.7) says: {@code +} matches exactly one level, {@code #} (last level only) matches the parent and any
 * number of levels below it, and filters starting with a wildcard do not match topics starting with {@code $}.
 * Immutable and thread-safe.
 */
public final class TopicFilter {
    private final String text;
    private final String[] levels;

    private TopicFilter(String text) {
        this.text = text;
        this.levels = text.split("/", -1);
    }

    /** Parses a filter, or explains why it is not a valid MQTT topic filter. */
    public static TopicFilter parse(String text) {
        TopicFilter filter = new TopicFilter(text);
        Optional<String> problem = filter.validate();
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return filter;
    }

    /** Why {@code text} is not a valid filter, or empty when it is. */
    public static Optional<String> problemWith(String text) {
        return new TopicFilter(text).validate();
    }

    private Optional<String> validate() {
        if (text.isEmpty()) {
            return Optional.of("a topic filter must not be empty");
        }
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.equals("#") && i != levels.length - 1) {
                return Optional.of("'" + text + "': '#' is allowed only as the last level");
            }
            if (level.length() > 1 && (level.contains("#") || level.contains("+"))) {
                return Optional.of("'" + text + "': a wildcard must occupy a whole level");
            }
        }
        return Optional.empty();
    }

    /**
     * Whether the concrete topic name {@code topic} matches this filter. Walks the topic's levels in place (no split):
     * the broker asks this for every publish, of every route and every publish permission.
     */
    public boolean matches(String topic) {
        if (topic.startsWith("$") && (levels[0].equals("+") || levels[0].equals("#"))) {
            return false;
        }
        int start = 0; // where the topic's current level starts; past its end once every level was read
        for (String level : levels) {
            if (level.equals("#")) {
                return true; // the rest, including no level at all (sport/# matches sport)
            }
            if (start > topic.length()) {
                return false; // the topic has fewer levels
            }
            int end = topic.indexOf('/', start);
            if (end < 0) {
                end = topic.length();
            }
            if (!level.equals("+") && !(end - start == level.length()
                    && topic.regionMatches(start, level, 0, level.length()))) {
                return false;
            }
            start = end + 1;
        }
        return start == topic.length() + 1; // and no level left over
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TopicFilter other && Arrays.equals(levels, other.levels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(text);
    }

    @Override
    public String toString() {
        return text;
    }
}
