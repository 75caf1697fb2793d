package dev.edgeline.appliance;

import dev.edgeline.config.ConfigError;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.InvalidConfigException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** {@code bin/edge config validate FILE}. */
final class ConfigCommand {
    private final PrintStream out;
    private final PrintStream err;

    ConfigCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        if (args.isEmpty() || !args.getFirst().equals("validate")) {
            throw new Arguments.UsageException("expected 'config validate FILE'");
        }
        Arguments parsed = Arguments.parse(args.subList(1, args.size()), Set.of());
        if (parsed.positional().size() != 1) {
            throw new Arguments.UsageException("expected exactly one config file");
        }
        Path file = Path.of(parsed.positional().getFirst());
        try {
            DeviceConfig config = ConfigLoader.load(file, Path.of("."));
            out.println(file + ": valid (device " + config.device().id() + ", " + config.sensors().size()
                    + " sensor(s), " + config.bridge().routes().size() + " route(s))");
            return ExitCodes.OK;
        } catch (InvalidConfigException e) {
            printErrors(err, e);
            return ExitCodes.INVALID_INPUT;
        }
    }

    static void printErrors(PrintStream err, InvalidConfigException e) {
        err.println(e.source() + ": " + e.errors().size() + " error(s)");
        for (ConfigError error : e.errors()) {
            err.println("  " + error);
        }
    }
}
