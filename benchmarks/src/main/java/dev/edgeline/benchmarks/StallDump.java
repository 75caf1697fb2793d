package dev.edgeline.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * A diagnostic for reading a latency tail: with {@code -Dbench.stallDump=FILE}, the stack of every thread in this JVM
 * is appended to FILE (at most 3 times, 2 s apart) while {@code stalled} holds, checked every 100 ms. Without the
 * property it does nothing.
 */
final class StallDump {
    private StallDump() {}

    static Thread watch(AtomicBoolean running, BooleanSupplier stalled) {
        String file = System.getProperty("bench.stallDump");
        if (file == null) {
            return null;
        }
        Thread thread = new Thread(() -> {
            int dumps = 0;
            long next = 0;
            while (running.get() && dumps < 3) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
                if (stalled.getAsBoolean() && System.nanoTime() >= next) {
                    dump(Path.of(file));
                    dumps++;
                    next = System.nanoTime() + 2_000_000_000L;
                }
            }
        }, "stall-dump");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void dump(Path file) {
        StringBuilder text = new StringBuilder("=== stall at " + java.time.Instant.now() + "\n");
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            text.append('"').append(e.getKey().getName()).append("\" ").append(e.getKey().getState()).append('\n');
            for (StackTraceElement frame : e.getValue()) {
                text.append("    at ").append(frame).append('\n');
            }
        }
        try {
            Files.writeString(file, text, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("stall dump: " + e);
        }
    }
}
