package dev.edgeline.appliance;

import dev.edgeline.appliance.ops.ServiceMonitoring;
import dev.edgeline.bridge.CloudBridge;
import dev.edgeline.broker.receipts.StreamReceipts;
import dev.edgeline.broker.spool.FileSpoolReader;
import dev.edgeline.broker.spool.SpoolInspector;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.DeviceService;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

/**
 * {@code bin/edge bridge --config FILE}: the cloud bridge as its own process, reading the spool directory that the
 * broker process writes (the broker then runs with its own bridge or this one; with exactly-once delivery two
 * bridges of one device fence each other, so only one forwards).
 */
final class BridgeCommand {
    private final PrintStream err;

    BridgeCommand(PrintStream err) {
        this.err = err;
    }

    /** How long the bridge waits for edge-broker to create the spool (both services start at once at boot). */
    static final java.time.Duration SPOOL_WAIT = java.time.Duration.ofSeconds(60);

    /**
     * Waits up to {@link #SPOOL_WAIT} until the spool can be read from another process: edge-broker creates it (and,
     * after a power cut, its {@code spool.durable}) early in its own start, and both services start at once at boot.
     * After that the last error goes to the caller (the broker never ran here, or the directory is not a spool).
     */
    private void awaitSpool(Path spool) throws java.io.IOException {
        long deadline = System.nanoTime() + SPOOL_WAIT.toNanos();
        boolean said = false;
        while (true) {
            try {
                SpoolInspector.inspect(spool, "bridge");
                return;
            } catch (java.io.IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                if (!said) {
                    err.println("edge bridge: waiting up to " + SPOOL_WAIT.toSeconds() + " s for edge-broker to "
                            + "open the spool (" + notYet.getMessage() + ")");
                    said = true;
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting for the spool");
            }
        }
    }

    int run(List<String> args) throws Arguments.UsageException {
        DeviceConfig config = ServiceRunner.configFrom(args, err, EnumSet.of(DeviceService.BRIDGE));
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        Path spool = config.spool().directory();
        CloudBridge bridge;
        StreamReceipts receipts;
        ServiceMonitoring monitoring;
        try {
            bridge = new CloudBridge(config.bridge(), config.device().id(),
                    () -> FileSpoolReader.openFromOtherProcess(spool, "bridge"));
            awaitSpool(spool); // fails, saying so, when the broker never ran here
            receipts = StreamReceipts.open(spool);
            bridge.onCommit((batch, nanos) -> receipts.committedRecords(batch));
            try {
                monitoring = ServiceMonitoring.forBridge(config, bridge);
            } catch (java.io.IOException | RuntimeException e) {
                receipts.close();
                throw e;
            }
        } catch (java.io.IOException e) {
            err.println("edge bridge: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        bridge.start();
        BridgeStatusFile statusFile = new BridgeStatusFile(bridge, spool);
        dev.edgeline.bridge.commands.CommandBridge commands = CommandBridges.startIfEnabled(config);
        if (commands != null) {
            monitoring.bindCommands(commands);
        }
        try {
            ServiceRunner.runUntilStopped(() -> {
                monitoring.close();
                if (commands != null) {
                    commands.close();
                }
                statusFile.close();
                bridge.close();
                receipts.close();
            }, "edge-bridge");
            return ExitCodes.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }
}
