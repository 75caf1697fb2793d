package dev.edgeline.appliance;

import dev.edgeline.config.RecordEnvelope;
import dev.edgeline.config.ConfigError;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.DeviceService;
import dev.edgeline.config.InvalidConfigException;
import dev.edgeline.config.WritableDirectories;
import dev.edgeline.config.render.BootConfigBlock;
import dev.edgeline.config.render.DeviceRenderer;
import dev.edgeline.config.render.MemoryProfile;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code bin/edge config validate FILE [--data-dir DIR] [--service broker,bridge,agent] [--check-files no]
 * [--check-directories no]}: every error with its path, exit 2 if any; the files the named services read must be
 * readable and the directories they write writable by this user. {@code bin/edge config render FILE --out DIR
 * [--data-dir DIR] [--memory-profile NAME | --device-memory MIB]}: validates, then writes the rendered device files
 * ({@link DeviceRenderer}) for the board's {@link MemoryProfile} (named, or picked from the memory the device reports;
 * the default profile without either). {@code bin/edge config schema}: prints the JSON Schema of the device YAML;
 * {@code bin/edge config reference}: the table of every key generated from it (firmware-config/README.md).
 */
final class ConfigCommand {
    private final PrintStream out;
    private final PrintStream err;

    ConfigCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run(List<String> args) throws Arguments.UsageException {
        String verb = args.isEmpty() ? "" : args.getFirst();
        List<String> rest = args.isEmpty() ? List.of() : args.subList(1, args.size());
        return switch (verb) {
            case "validate" -> validate(rest);
            case "render" -> render(rest);
            case "schema" -> schema(rest);
            case "reference" -> {
                out.print(dev.edgeline.config.ConfigReference.markdown());
                yield ExitCodes.OK;
            }
            default -> throw new Arguments.UsageException("expected 'config validate FILE', 'config render FILE "
                    + "--out DIR [--memory-profile " + String.join("|", MemoryProfile.names())
                    + " | --device-memory MIB]', 'config reference' or 'config schema [--payload " + String.join("|",
                    java.util.Arrays.stream(RecordEnvelope.PayloadKind.values())
                            .map(RecordEnvelope.PayloadKind::schemaName).toList()) + "]'");
        };
    }

    /** The device YAML's schema, or with {@code --payload KIND} the JSON Schema of a Kafka payload kind. */
    private int schema(List<String> args) throws Arguments.UsageException {
        java.util.Optional<String> payload = Arguments.parse(args, Set.of("payload")).option("payload");
        if (payload.isEmpty()) {
            out.print(DeviceRenderer.jsonSchema());
            return ExitCodes.OK;
        }
        for (RecordEnvelope.PayloadKind kind : RecordEnvelope.PayloadKind.values()) {
            if (kind.schemaName().equals(payload.get())) {
                out.print(kind.schema());
                return ExitCodes.OK;
            }
        }
        throw new Arguments.UsageException("--payload " + payload.get() + " is not a payload kind (known: "
                + String.join(", ", java.util.Arrays.stream(RecordEnvelope.PayloadKind.values())
                .map(RecordEnvelope.PayloadKind::schemaName).toList()) + ")");
    }

    private int validate(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("check-files", "data-dir", "service", "check-directories"));
        if (parsed.positional().size() != 1) {
            throw new Arguments.UsageException("expected exactly one config file");
        }
        Path file = Path.of(parsed.positional().getFirst());
        Set<DeviceService> services = checkFiles(parsed) ? services(parsed) : DeviceService.none();
        try {
            DeviceConfig config = ConfigLoader.load(file, parsed.path("data-dir", Path.of(".")), services);
            // Where the services will run, as their user: the files they read, the directories they write (unless
            // provisioning makes those directories theirs itself, after this check).
            if (yesOrNo(parsed, "check-directories")) {
                WritableDirectories.check(file, config, services);
            }
            out.println(file + ": valid (device " + config.device().id() + ", " + config.sensors().size()
                    + " sensor(s), " + config.bridge().routes().size() + " route(s); boot config: "
                    + describe(BootConfigBlock.settings(config)) + ")");
            return ExitCodes.OK;
        } catch (InvalidConfigException e) {
            printErrors(err, e);
            return ExitCodes.INVALID_INPUT;
        }
    }

    private int render(List<String> args) throws Arguments.UsageException {
        Arguments parsed = Arguments.parse(args, Set.of("out", "check-files", "memory-profile", "device-memory",
                "data-dir"));
        if (parsed.positional().size() != 1) {
            throw new Arguments.UsageException("expected exactly one config file");
        }
        Path file = Path.of(parsed.positional().getFirst());
        Path outDirectory = parsed.requiredPath("out");
        boolean checkFiles = checkFiles(parsed);
        MemoryProfile profile = memoryProfile(parsed);
        try {
            String yaml = Files.readString(file, StandardCharsets.UTF_8);
            // The device's data directory as base: provisioning.json names the directories and files as the
            // device sees them.
            DeviceConfig config = ConfigLoader.parse(file, yaml, parsed.path("data-dir", Path.of(".")), checkFiles);
            for (Path written : DeviceRenderer.write(config, yaml, profile, outDirectory)) {
                out.println(written);
            }
            return ExitCodes.OK;
        } catch (InvalidConfigException e) {
            printErrors(err, e);
            return ExitCodes.INVALID_INPUT;
        } catch (IOException e) {
            err.println("edge config render: " + e);
            return ExitCodes.FAILURE;
        }
    }

    /** {@code --memory-profile NAME}, or the profile for {@code --device-memory MIB}, or the default. */
    private static MemoryProfile memoryProfile(Arguments parsed) throws Arguments.UsageException {
        java.util.Optional<String> named = parsed.option("memory-profile");
        java.util.Optional<String> deviceMemory = parsed.option("device-memory");
        if (named.isPresent() && deviceMemory.isPresent()) {
            throw new Arguments.UsageException("give --memory-profile or --device-memory, not both");
        }
        try {
            if (named.isPresent()) {
                return MemoryProfile.named(named.get());
            }
            if (deviceMemory.isPresent()) {
                return MemoryProfile.forDeviceMemory(Long.parseLong(deviceMemory.get().strip()));
            }
            return MemoryProfile.DEFAULT;
        } catch (NumberFormatException e) {
            throw new Arguments.UsageException("--device-memory '" + deviceMemory.orElseThrow()
                    + "' is not a whole number of MiB");
        } catch (IllegalArgumentException e) {
            throw new Arguments.UsageException((named.isPresent() ? "--memory-profile: " : "--device-memory: ")
                    + e.getMessage());
        }
    }

    /**
     * {@code --service broker,bridge}: check only the files these services read and the directories they write
     * (each runs as its own user on a provisioned device; the bridge inside edge-broker reads its files as the
     * broker's user); default all.
     */
    private static Set<DeviceService> services(Arguments parsed) throws Arguments.UsageException {
        try {
            return DeviceService.parseList(parsed.option("service").orElse("all"));
        } catch (IllegalArgumentException e) {
            throw new Arguments.UsageException("--service: " + e.getMessage());
        }
    }

    /**
     * {@code --check-files yes} (default): the files the config names must exist here, readable, well formed;
     * {@code no}: they are checked on the device instead (Ansible's control node does not hold them).
     */
    private static boolean checkFiles(Arguments parsed) throws Arguments.UsageException {
        return yesOrNo(parsed, "check-files");
    }

    /** {@code --NAME yes} (the default) or {@code --NAME no}. */
    private static boolean yesOrNo(Arguments parsed, String name) throws Arguments.UsageException {
        String value = parsed.option(name).orElse("yes");
        return switch (value) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new Arguments.UsageException("--" + name + " '" + value + "' is not yes or no");
        };
    }

    private static String describe(List<String> settings) {
        return settings.isEmpty() ? "nothing to enable" : String.join(", ", settings);
    }

    static void printErrors(PrintStream err, InvalidConfigException e) {
        err.println(e.source() + ": " + e.errors().size() + " error(s)");
        for (ConfigError error : e.errors()) {
            err.println("  " + error);
        }
    }
}
