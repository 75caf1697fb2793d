package dev.edgeline.appliance;

import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.DeviceService;
import dev.edgeline.config.InvalidConfigException;
import dev.edgeline.config.WritableDirectories;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Shared plumbing of the long-running commands: load the config, run until SIGTERM/SIGINT, then close. */
public final class ServiceRunner {
    private ServiceRunner() {}

    /**
     * Parses {@code --config FILE [--data-dir DIR]} and loads the config for {@code services}: the files they read
     * must be readable and the directories they write writable by this user (each service runs as its own user on
     * a provisioned device). Prints every error and returns null when it is invalid (the caller exits with
     * {@link ExitCodes#INVALID_INPUT}).
     */
    public static DeviceConfig configFrom(java.util.List<String> args, PrintStream err, Set<DeviceService> services)
            throws Arguments.UsageException {
        return configFrom(Arguments.parse(args, Set.of("config", "data-dir")), err, services);
    }

    /** As above, from arguments already parsed (a command with options of its own). */
    public static DeviceConfig configFrom(Arguments parsed, PrintStream err, Set<DeviceService> services)
            throws Arguments.UsageException {
        return loadOrReport(parsed.requiredPath("config"), parsed.path("data-dir", Path.of(".")), err, services);
    }

    /** Loads and validates for {@code services}; prints every error and returns null when invalid. */
    public static DeviceConfig loadOrReport(Path file, Path dataDirectory, PrintStream err,
                                            Set<DeviceService> services) {
        try {
            DeviceConfig config = ConfigLoader.load(file, dataDirectory, services);
            WritableDirectories.check(file, config, services);
            return config;
        } catch (InvalidConfigException e) {
            ConfigCommand.printErrors(err, e);
            return null;
        }
    }

    /** Blocks until the JVM is asked to stop, then closes {@code service} before the JVM exits. */
    public static void runUntilStopped(AutoCloseable service, String name) throws InterruptedException {
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = Thread.ofPlatform().name(name + "-shutdown").unstarted(() -> {
            stopRequested.countDown();
            try {
                closed.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        stopRequested.await();
        try {
            service.close();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(ServiceRunner.class).error("error while stopping {}", name, e);
        } finally {
            closed.countDown();
        }
    }

    /**
     * Where an I/O error came from, for a message that names no file (an errno such as "Input/output error"): the
     * first frames of our own code, else empty.
     */
    static String where(java.io.IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("/")) {
            return ""; // names its file already
        }
        StringBuilder at = new StringBuilder();
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().startsWith("dev.edgeline.") && at.length() < 400) {
                at.append(at.isEmpty() ? " (at " : " < ").append(frame.getClassName()
                        .substring(frame.getClassName().lastIndexOf('.') + 1)).append('.').append(frame.getMethodName())
                        .append(':').append(frame.getLineNumber());
            }
        }
        return at.isEmpty() ? "" : at.append(')').toString();
    }
}
