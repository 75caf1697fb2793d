package dev.edgeline.appliance;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The device's entry point: the services (broker, agent, bridge) and the commands an operator runs on a device
 * ({@code /usr/local/bin/edge}). {@code bin/edge} on a workstation runs {@code dev.edgeline.workbench.WorkbenchMain},
 * which adds {@code demo} and {@code console} and hands every other command to {@link #run}.
 *
 * <pre>
 *   bin/edge broker --config FILE [--data-dir DIR] [--bridge in-process|separate]
 *                                                      spool + MQTT broker + cloud bridge (separate: bin/edge bridge)
 *   bin/edge agent --config FILE [--data-dir DIR]      sensor sampling and MQTT publishing
 *   bin/edge bridge --config FILE [--data-dir DIR]     the cloud bridge alone, on the broker's spool directory
 *   bin/edge status --config FILE [--data-dir DIR]     spool backlog per lane and the bridge's last report
 *   bin/edge config validate FILE                      report every error, exit 2 if any
 *   bin/edge config render FILE --out DIR              validate, then write the device's rendered files
 *   bin/edge config schema                             print the JSON Schema of the device YAML
 *   bin/edge aot-train                                 a short broker run for the JVM's ahead-of-time cache
 * </pre>
 * Relative directories in a config file resolve against {@code --data-dir} (default: the working directory).
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int status = run(Arrays.asList(args), System.out, System.err);
        System.exit(status);
    }

    /** Runs one command; returns the process exit status ({@link ExitCodes}). */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            usage(err);
            return ExitCodes.INVALID_INPUT;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.getFirst()) {
                case "broker" -> new BrokerCommand(err).run(rest);
                case "agent" -> new AgentCommand(err).run(rest);
                case "bridge" -> new BridgeCommand(err).run(rest);
                case "status" -> new StatusCommand(out, err).run(rest);
                case "config" -> new ConfigCommand(out, err).run(rest);
                case "passwd" -> new PasswdCommand(System.in, out, err).run(rest);
                case "verify" -> new VerifyCommand(out, err).run(rest);
                case "tail" -> new TailCommand(out, err).run(rest);
                case "aot-train" -> new AotTrainingCommand(out, err).run(rest);
                case "command" -> {
                    if (!rest.isEmpty() && rest.getFirst().equals("desired")) {
                        yield new DesiredStateCommand(out, err).run(rest.subList(1, rest.size()));
                    }
                    if (rest.isEmpty() || !rest.getFirst().equals("send")) {
                        err.println("edge command: the subcommands are send (edge command send --config F --device D "
                                + "--target T [--ttl 10m] PAYLOAD) and desired (edge command desired --config F "
                                + "--device D)");
                        yield ExitCodes.INVALID_INPUT;
                    }
                    yield new CommandSendCommand(out, err).run(rest.subList(1, rest.size()));
                }
                case "kafka" -> {
                    if (rest.isEmpty() || !rest.getFirst().equals("topics")) {
                        err.println("edge kafka: this is the device's release; it has `edge kafka topics --config F`"
                                + " (the topics a configuration needs), not a Kafka server (a workstation command)");
                        yield ExitCodes.INVALID_INPUT;
                    }
                    yield new KafkaTopicsCommand(out, err).run(rest.subList(1, rest.size()));
                }
                case "demo", "console" -> {
                    err.println("edge: '" + args.getFirst() + "' is a workstation command (bin/edge in a checkout, the"
                            + " workbench module); this is the device's release, which has no Kafka server or web console");
                    yield ExitCodes.INVALID_INPUT;
                }
                case "help", "--help", "-h" -> {
                    usage(out);
                    yield ExitCodes.OK;
                }
                case "--version", "version" -> {
                    out.println(VersionInfo.describe());
                    yield ExitCodes.OK;
                }
                default -> {
                    err.println("edge: unknown command '" + args.getFirst() + "'");
                    usage(err);
                    yield ExitCodes.INVALID_INPUT;
                }
            };
        } catch (Arguments.UsageException e) {
            err.println("edge " + args.getFirst() + ": " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
    }

    /** Prints the device commands. */
    public static void usage(PrintStream out) {
        out.println("""
                usage: edge <command> [options]
                  broker --config FILE [--data-dir DIR] [--bridge in-process|separate]
                                      the edge-broker service (spool, MQTT broker, cloud bridge; with --bridge
                                      separate the bridge runs as its own process, bin/edge bridge)
                  agent --config FILE [--data-dir DIR]    the edge-agent service (sensors to MQTT)
                  bridge --config FILE [--data-dir DIR]   the cloud bridge alone, on the broker's spool directory
                  status --config FILE [--data-dir DIR] [--streams]
                                      spool backlog per lane, bridge state, age of its last report and commit,
                                      drain estimate; --streams: every stream's last seq ingested, in Kafka, lag
                  config validate FILE [--check-files yes|no] [--data-dir DIR] [--service broker,bridge,agent]
                                      [--check-directories yes|no]
                                      check a device config (and, unless no, the certificate, key and password
                                      files the services read and that the directories they write are
                                      writable, by this user); exit 2 if invalid
                  config render FILE --out DIR [--check-files yes|no] [--data-dir DIR]
                                      [--memory-profile 512mb|1gb|2gb|4gb | --device-memory MIB]
                                      validate, then write config.txt block, service files (heaps and layout
                                      from the board's memory profile; default 2gb)
                  passwd USER [--iterations N]             print a password-file line for USER (password from the
                                      terminal, or the first line of standard input)
                  verify --bootstrap B --topic T [--gap-topic edge.gaps] [--timeout 60s]
                                      an analyst's check of a topic (read_committed): per device and stream
                                      records, duplicates, out of order, holes explained by gap markers or not;
                                      exit 3 on any problem
                  tail --bootstrap B --topic T [--from end|beginning] [--max N]
                                      follow topics readably (read_committed)
                  kafka topics --config FILE [--create] [--bootstrap B] [--command-config FILE]
                                      [--partitions 6] [--retention 7d|forever] [--replication N]
                                      check (--create: first create) every topic the configuration needs:
                                      data, gaps, checkpoints, commands, desired state; exit 3 if one is missing or
                                      misconfigured
                  command send --config FILE --device D [--group G] --target T [--ttl 10m] [--id ID]
                                      [--no-response] [--payload-file F | PAYLOAD] [--wait 30s]
                                      send a command to a device (docs/commands.md); with --wait, print its result
                                      (exit 0 completed or delivered, 3 otherwise); --group: the device's command
                                      group when it is not the configuration's
                  command desired --config FILE --device D [--group G] [--bootstrap B]
                                      a device's desired state against what its agent reported applying
                                      (exit 0 in sync, 3 behind, rejected or different)
                  config schema [--payload reading|health|broker-health|gap|sparkplug-metric|sparkplug-state|command-result|agent-command|desired-state]
                                      print the JSON Schema of the device YAML, or of a Kafka payload kind
                  aot-train           a short broker and bridge run, for the JVM's ahead-of-time cache: run it with
                                      -XX:AOTCacheOutput=FILE (provisioning does, once per release and Java)
                  --version           the release, and the Java and machine it runs on""");
    }
}
