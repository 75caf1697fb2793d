package dev.edgeline.appliance;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A {@code bin/edge} command run in the test's JVM ({@link Main#run}): its exit status and what it printed. */
public record EdgeCommand(int status, String out, String err) {
    public static EdgeCommand run(String... args) {
        return run(List.of(args));
    }

    public static EdgeCommand run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new EdgeCommand(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
