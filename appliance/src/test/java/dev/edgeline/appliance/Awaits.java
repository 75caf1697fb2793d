package dev.edgeline.appliance;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polling waits for integration tests: fail with a message naming what did not happen. */
public final class Awaits {
    private Awaits() {}

    public static void until(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
