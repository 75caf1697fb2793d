package dev.edgeline.workbench;

import dev.edgeline.appliance.Arguments;
import dev.edgeline.appliance.ExitCodes;
import dev.edgeline.appliance.ServiceRunner;
import dev.edgeline.workbench.console.Console;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * {@code bin/edge console --bootstrap B [--topic T[,T2]] [--gap-topic edge.gaps] [--host 127.0.0.1] [--port 8080]}:
 * the live web console, until Ctrl-C. Reads the fleet's topics (every topic but Kafka's internal ones and the
 * bridges' checkpoints, unless {@code --topic} names them) read_committed from the beginning.
 */
final class ConsoleCommand {
    private final PrintStream out;
    private final PrintStream err;

    ConsoleCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("bootstrap", "topic", "gap-topic", "host", "port"));
        String bootstrap = parsed.option("bootstrap").orElseThrow(() -> new Arguments.UsageException(
                "--bootstrap host:port is required"));
        List<String> topics = parsed.option("topic").map(t -> Arrays.stream(t.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList()).orElse(List.of());
        String host = parsed.option("host").orElse("127.0.0.1");
        int port = parsed.port("port", 0).orElse(8080);
        Console console;
        try {
            console = Console.start(bootstrap, topics, parsed.option("gap-topic").orElse("edge.gaps"), host, port);
        } catch (RuntimeException e) {
            err.println("edge console: cannot serve on " + host + ":" + port + ": " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        out.println("console: http://" + host + ":" + console.port() + "/ (reading " + bootstrap
                + (topics.isEmpty() ? ", every topic" : ", " + String.join(",", topics)) + "; Ctrl-C stops)");
        try {
            ServiceRunner.runUntilStopped(console, "edge-console");
            return ExitCodes.OK;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitCodes.FAILURE;
        }
    }
}
