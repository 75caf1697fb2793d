package dev.edgeline.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Kafka record key template such as {@code {device}/{stream}} (the default, so that one stream stays in one
 * partition and keeps its order). Placeholders: {@code {device}}, {@code {stream}}, {@code {topic}} (the MQTT
 * topic). Anything else is literal text. Immutable and thread-safe.
 */
public final class KeyTemplate {
    public static final String DEFAULT = ConfigSchema.key("kafka.routes[].key").defaultString();
    private static final Set<String> PLACEHOLDERS = Set.of("device", "stream", "topic");

    private final String text;
    private final List<String> parts; // literal text and placeholder names, placeholders wrapped in {}

    private KeyTemplate(String text, List<String> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    public static KeyTemplate parse(String text) {
        Optional<String> problem = problemWith(text);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return new KeyTemplate(text, split(text));
    }

    /** Why {@code text} is not a valid key template, or empty when it is. */
    public static Optional<String> problemWith(String text) {
        if (text.isBlank()) {
            return Optional.of("a key template must not be empty");
        }
        int open = -1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '{') {
                if (open >= 0) {
                    return Optional.of("'" + text + "': nested '{' at position " + i);
                }
                open = i;
            } else if (c == '}') {
                if (open < 0) {
                    return Optional.of("'" + text + "': '}' without '{' at position " + i);
                }
                String name = text.substring(open + 1, i);
                if (!PLACEHOLDERS.contains(name)) {
                    return Optional.of("'" + text + "': unknown placeholder {" + name + "}; known: {device}, {stream}, {topic}");
                }
                open = -1;
            }
        }
        if (open >= 0) {
            return Optional.of("'" + text + "': unclosed '{' at position " + open);
        }
        return Optional.empty();
    }

    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '{') {
                if (!literal.isEmpty()) {
                    parts.add(literal.toString());
                    literal.setLength(0);
                }
                int close = text.indexOf('}', i);
                parts.add(text.substring(i, close + 1));
                i = close + 1;
            } else {
                literal.append(c);
                i++;
            }
        }
        if (!literal.isEmpty()) {
            parts.add(literal.toString());
        }
        return parts;
    }

    /** The key for one record. */
    public String render(String device, String stream, String mqttTopic) {
        StringBuilder key = new StringBuilder();
        for (String part : parts) {
            switch (part) {
                case "{device}" -> key.append(device);
                case "{stream}" -> key.append(stream);
                case "{topic}" -> key.append(mqttTopic);
                default -> key.append(part);
            }
        }
        return key.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
