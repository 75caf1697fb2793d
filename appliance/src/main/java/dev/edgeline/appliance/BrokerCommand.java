package dev.edgeline.appliance;

import dev.edgeline.config.DeviceConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/** {@code bin/edge broker --config FILE}: the edge-broker service until SIGTERM. */
final class BrokerCommand {
    private final PrintStream err;

    BrokerCommand(PrintStream err) {
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        DeviceConfig config = ServiceRunner.configFrom(args, err);
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        try (EdgeBrokerService service = EdgeBrokerService.start(config)) {
            ServiceRunner.runUntilStopped(service, "edge-broker");
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("edge broker: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }
}
