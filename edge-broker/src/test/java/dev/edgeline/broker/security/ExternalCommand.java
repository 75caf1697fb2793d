package dev.edgeline.broker.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real command-line tool (openssl, mosquitto_passwd, mosquitto_pub) to its end, as a test or benchmark step. */
public final class ExternalCommand {
    private ExternalCommand() {}

    /** Runs {@code command}; fails with its output unless it exits 0 within a minute. */
    public static void run(List<String> command) throws IOException, InterruptedException {
        run(command, null);
    }

    /** As {@link #run(List)}, with {@code stdin} (a file, or null) as its standard input. */
    public static void run(List<String> command, Path stdin) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (stdin != null) {
            builder.redirectInput(stdin.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IOException(command.getFirst() + " cannot be run (is its Debian package installed? bin/test "
                    + "checks them): " + e.getMessage(), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within 60 s: " + output);
        }
        if (process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " + output);
        }
    }
}
