package dev.edgeline.appliance;

import dev.edgeline.config.render.JvmFlags;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@code bin/edge <command>} service in a child JVM of the test's class path, as the device runs it. */
final class ChildService {
    private ChildService() {}

    /**
     * Starts {@code Main <command> --config F --data-dir D [options]}; its log goes to {@code log} (appended).
     */
    static Process start(String command, Path configFile, Path dataDir, Path log, String... options)
            throws IOException {
        return start(List.of(), command, configFile, dataDir, log, options);
    }

    /** The same, with extra JVM flags (system properties) before the main class. */
    static Process start(List<String> jvmFlags, String command, Path configFile, Path dataDir, Path log,
                         String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        cmd.addAll(jvmFlags);
        cmd.addAll(JvmFlags.services());
        cmd.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), command, "--config", configFile.toString(), "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(options));
        return new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** SIGKILL, and wait until it is gone. */
    static void kill(Process process) throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " did not die");
        }
    }

    /**
     * SIGTERM (the service shuts down cleanly), and wait until it is gone; if it does not go, the failure carries
     * the child's threads, so that a hang seen once in CI can be read.
     */
    static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            String threads = threadDump(process.pid());
            process.destroyForcibly();
            throw new AssertionError("child " + process.pid() + " did not stop on SIGTERM; its threads:\n" + threads);
        }
    }

    private static String threadDump(long pid) {
        Path javaCommand = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Path jcmd = javaCommand.resolveSibling("jcmd");
        try {
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                    .redirectErrorStream(true).start();
            String out = new String(dump.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            dump.waitFor(30, TimeUnit.SECONDS);
            return out.length() > 40_000 ? out.substring(0, 40_000) + "..." : out;
        } catch (IOException e) {
            return "(no thread dump: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(no thread dump: interrupted)";
        }
    }
}
