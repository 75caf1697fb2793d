package dev.edgeline.appliance;

import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.DeviceService;
import java.io.IOException;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code bin/edge broker --config FILE [--data-dir DIR] [--bridge in-process|separate]}: the edge-broker service until
 * SIGTERM. {@code --bridge separate} leaves forwarding to a {@code bin/edge bridge} process on the same spool (as a
 * provisioned device runs it, where systemd gives the bridge a larger CPU share than the broker).
 */
final class BrokerCommand {
    private final PrintStream err;

    BrokerCommand(PrintStream err) {
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("config", "data-dir", "bridge"));
        String bridge = parsed.option("bridge").orElse("in-process");
        if (!bridge.equals("in-process") && !bridge.equals("separate")) {
            throw new Arguments.UsageException("--bridge '" + bridge + "' is neither in-process (the default) nor "
                    + "separate (forwarded by bin/edge bridge)");
        }
        // In process, the bridge's files (Kafka credentials) are the broker's to read too.
        DeviceConfig config = ServiceRunner.configFrom(parsed, err, bridge.equals("separate")
                ? EnumSet.of(DeviceService.BROKER) : EnumSet.of(DeviceService.BROKER, DeviceService.BRIDGE));
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        try (EdgeBrokerService service = bridge.equals("separate") ? EdgeBrokerService.startWithoutBridge(config)
                : EdgeBrokerService.start(config)) {
            ServiceRunner.runUntilStopped(service, "edge-broker");
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("edge broker: " + e.getMessage() + ServiceRunner.where(e));
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }
}
