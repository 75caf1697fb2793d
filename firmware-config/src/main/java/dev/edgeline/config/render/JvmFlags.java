package dev.edgeline.config.render;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JVM flags files on the class path, each the one place its flags are written (one flag per line, {@code #}
 * comments: also a java {@code @argfile}).
 */
public final class JvmFlags {
    private JvmFlags() {}

    /** Flags every edgeline JVM needs ({@code service-jvm-flags.txt}): no phone-home, native access. */
    public static List<String> services() {
        return read("service-jvm-flags.txt");
    }

    /** The agent's small-footprint flags ({@code agent-jvm-flags.txt}), measured by {@code bin/bench footprint}. */
    public static List<String> agent() {
        return read("agent-jvm-flags.txt");
    }

    private static List<String> read(String resource) {
        try (InputStream in = JvmFlags.class.getResourceAsStream("/" + resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
