package dev.edgeline.appliance.ops;

import dev.edgeline.bridge.commands.CommandBridge;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The command bridge's meters: commands read from Kafka and results written since start, commands pending on the
 * device (count and bytes, against {@code kafka.commands.max-queue-bytes}), results waiting for Kafka (above 0 for
 * long: Kafka is unreachable), and whether it runs (1) or waits, failed or was fenced (0).
 */
public final class CommandMeters {
    private CommandMeters() {}

    public static void bind(MeterRegistry registry, CommandBridge commands) {
        FunctionCounter.builder("edge.commands.received", commands, CommandBridge::received)
                .description("commands read from the device's command topic since start").register(registry);
        FunctionCounter.builder("edge.commands.results.written", commands, CommandBridge::resultsWritten)
                .description("results committed to Kafka since start").register(registry);
        Gauge.builder("edge.commands.pending", commands, CommandBridge::pending)
                .description("commands stored on the device that have not ended").strongReference(true)
                .register(registry);
        Gauge.builder("edge.commands.pending.size", commands, CommandBridge::pendingBytes).baseUnit("bytes")
                .description("bytes of the pending commands (bounded by kafka.commands.max-queue-bytes)")
                .strongReference(true).register(registry);
        Gauge.builder("edge.commands.results.waiting", commands, CommandBridge::resultsWaiting)
                .description("results on the device not yet in Kafka").strongReference(true).register(registry);
        Gauge.builder("edge.commands.running", commands, c -> c.state().equals("running") ? 1 : 0)
                .description("1 while the command bridge runs with Kafka; 0 while it waits for Kafka, failed or was "
                        + "fenced").strongReference(true).register(registry);
    }
}
