package dev.edgeline.workbench;

import dev.edgeline.appliance.Arguments;
import dev.edgeline.appliance.ExitCodes;
import dev.edgeline.appliance.Main;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code bin/edge <command>} on a workstation: the two commands that are never installed on a device, {@code demo}
 * (a Kafka server, broker, bridge and simulated agent in one process) and {@code console} (the analysts' web
 * console), and every device command through {@link Main#run}.
 */
public final class WorkbenchMain {
    private WorkbenchMain() {}

    public static void main(String[] args) {
        System.exit(run(Arrays.asList(args), System.out, System.err));
    }

    /** Runs one command; returns the process exit status ({@link ExitCodes}). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            return Main.run(args, out, err);
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.getFirst()) {
                case "demo" -> new DemoCommand(out, err).run(rest);
                case "console" -> new ConsoleCommand(out, err).run(rest);
                case "kafka" -> !rest.isEmpty() && rest.getFirst().equals("topics") ? Main.run(args, out, err)
                        : new KafkaCommand(out, err).run(rest);
                case "help", "--help", "-h" -> {
                    Main.usage(out);
                    out.println("""
                            workstation only (bin/edge in a checkout; not in the device release):
                              demo [--duration 60s] [--config config/demo.yaml] [--data-dir DIR]
                                                  embedded Kafka + broker + bridge + simulated agent; prints records
                              console --bootstrap B [--topic T] [--gap-topic edge.gaps] [--host 127.0.0.1] [--port 8080]
                                                  live web console: devices, streams, last value, rate, unexplained
                                                  gaps, charts
                              kafka --port P --data-dir DIR
                                                  a single-node KRaft Kafka on 127.0.0.1:P until stopped (prints
                                                  READY host:port); for trying devices against a real cluster""");
                    yield ExitCodes.OK;
                }
                default -> Main.run(args, out, err);
            };
        } catch (Arguments.UsageException e) {
            err.println("edge " + args.getFirst() + ": " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
    }
}
