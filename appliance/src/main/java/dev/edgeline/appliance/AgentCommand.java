package dev.edgeline.appliance;

import dev.edgeline.agent.EdgeAgent;
import dev.edgeline.agent.ReadingListener;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.DeviceService;
import java.io.IOException;
import java.io.PrintStream;
import java.util.EnumSet;
import java.util.List;

/** {@code bin/edge agent --config FILE}: the edge-agent service until SIGTERM. */
final class AgentCommand {
    private final PrintStream err;

    AgentCommand(PrintStream err) {
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        DeviceConfig config = ServiceRunner.configFrom(args, err, EnumSet.of(DeviceService.AGENT));
        if (config == null) {
            return ExitCodes.INVALID_INPUT;
        }
        try (EdgeAgent agent = EdgeAgent.create(config, ReadingListener.NONE)) {
            agent.start();
            ServiceRunner.runUntilStopped(agent, "edge-agent");
            return ExitCodes.OK;
        } catch (IOException e) {
            err.println("edge agent: " + e.getMessage());
            return ExitCodes.FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }
}
