package dev.edgeline.config;

import dev.edgeline.config.internal.ErrorSink;
import dev.edgeline.config.internal.YamlMap;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Loads and validates a device YAML file into an immutable {@link DeviceConfig}.
 *
 * <p>Validation is complete: one call reports every error, each with its path. There are no silent defaults for
 * invalid values and no clamping; unknown keys are errors. Relative directories in the file resolve against the
 * {@code baseDirectory} given to {@link #load}. Stateless and thread-safe.
 */
public final class ConfigLoader {
    private final ErrorSink errors;
    private final Path base;
    private final ConfigFiles files;

    private ConfigLoader(ErrorSink errors, Path base, Set<DeviceService> checked) {
        this.errors = errors;
        this.base = base;
        this.files = new ConfigFiles(base, checked);
    }

    /**
     * Loads {@code file}, resolving relative directories against {@code baseDirectory}. Files the config names
     * (certificates, keys, password files) must exist and be readable, and password files must be well formed.
     */
    public static DeviceConfig load(Path file, Path baseDirectory) throws InvalidConfigException {
        return load(file, baseDirectory, true);
    }

    /**
     * As {@link #load(Path, Path)}; {@code checkFiles = false} skips the checks of the files the config names, for
     * a config validated away from its device (Ansible's control node), which does not hold them.
     */
    public static DeviceConfig load(Path file, Path baseDirectory, boolean checkFiles) throws InvalidConfigException {
        return load(file, baseDirectory, checkFiles ? DeviceService.all() : DeviceService.none());
    }

    /**
     * As {@link #load(Path, Path)}, checking only the files that {@code checked} read: each service runs as its own
     * user on a provisioned device and can read its own files only.
     */
    public static DeviceConfig load(Path file, Path baseDirectory, Set<DeviceService> checked)
            throws InvalidConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(file, List.of(new ConfigError("<file>", "no such file: " + file)));
        } catch (IOException e) {
            throw new InvalidConfigException(file, List.of(new ConfigError("<file>", "cannot read: " + e)));
        }
        return parse(file, text, baseDirectory, checked);
    }

    /** Parses YAML text; {@code source} only names it in errors. */
    public static DeviceConfig parse(Path source, String yamlText, Path baseDirectory) throws InvalidConfigException {
        return parse(source, yamlText, baseDirectory, true);
    }

    /** Parses YAML text, checking the files it names or not (see {@link #load(Path, Path, boolean)}). */
    public static DeviceConfig parse(Path source, String yamlText, Path baseDirectory, boolean checkFiles)
            throws InvalidConfigException {
        return parse(source, yamlText, baseDirectory, checkFiles ? DeviceService.all() : DeviceService.none());
    }

    /** Parses YAML text, checking the files that {@code checked} read (see {@link #load(Path, Path, Set)}). */
    public static DeviceConfig parse(Path source, String yamlText, Path baseDirectory, Set<DeviceService> checked)
            throws InvalidConfigException {
        return parse(source, yamlText, baseDirectory, checked, new ErrorSink());
    }

    /** The declared keys that reading {@code yamlText} (valid or not, files unchecked) reads: for the schema's test. */
    static Set<String> keysRead(String yamlText) {
        ErrorSink errors = new ErrorSink();
        try {
            parse(Path.of("keys.yaml"), yamlText, Path.of("/"), DeviceService.none(), errors);
        } catch (InvalidConfigException e) {
            // the keys were read all the same
        }
        return errors.keysRead();
    }

    private static DeviceConfig parse(Path source, String yamlText, Path baseDirectory, Set<DeviceService> checked,
                                      ErrorSink errors) throws InvalidConfigException {
        Node root;
        try (Reader reader = new StringReader(yamlText)) {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            options.setMaxAliasesForCollections(10);
            root = new Yaml(options).compose(reader);
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1)
                    + ", column " + (e.getProblemMark().getColumn() + 1);
            throw new InvalidConfigException(source,
                    List.of(new ConfigError("<file>", "malformed YAML" + where + ": " + e.getProblem())));
        } catch (YAMLException | IOException e) {
            throw new InvalidConfigException(source, List.of(new ConfigError("<file>", "malformed YAML: " + e.getMessage())));
        }
        if (root == null) {
            throw new InvalidConfigException(source, List.of(new ConfigError("<file>", "the file is empty")));
        }
        Optional<DeviceConfig> config = YamlMap.of("", root, errors)
                .map(map -> new ConfigLoader(errors, baseDirectory.toAbsolutePath(), checked).read(map));
        if (!errors.isEmpty() || config.isEmpty()) {
            throw new InvalidConfigException(source, errors.errors());
        }
        return config.get();
    }

    private DeviceConfig read(YamlMap root) {
        DeviceIdentity device = root.map("device").map(this::readDevice)
                .orElse(new DeviceIdentity("invalid", ""));
        BrokerSection brokerSection = new BrokerSection(errors, files, base);
        BrokerConfig broker = root.optionalMap("broker").map(brokerSection::read)
                .orElse(new BrokerConfig(List.of(BrokerSection.defaultListener()),
                        base.resolve(ConfigSchema.key("broker.data-directory").defaultString()),
                        BrokerConfig.SessionPersistence.IN_MEMORY, Optional.empty(),
                        BrokerConfig.IdentityLimits.defaults(), BridgeConfig.DEFAULT_MAX_RECORD_BYTES,
                        BrokerConfig.DEFAULT_START_TIMEOUT));
        SpoolConfig spool = root.map("spool").map(new SpoolSection(errors, base)::read)
                .orElse(SpoolConfig.singleLane(base.resolve("spool"), 1 << 20, 1 << 30));
        AgentConfig agent = root.map("agent").map(m -> new AgentSection(files, base).read(m, broker))
                .orElse(AgentConfig.defaults("", base));
        BridgeConfig bridge = root.map("kafka")
                .map(m -> new KafkaSection(errors, files, base).read(m, spool, broker.maxRecordBytes()))
                .orElse(new BridgeConfig("", List.of(), 1, Duration.ofSeconds(1),
                        ConfigSchema.key("kafka.gap-topic").defaultString()));
        List<SensorConfig> sensors = root.list("sensors", new SensorSection(errors)::read);
        Optional<MonitoringConfig> monitoring = root.optionalMap("monitoring").map(new MonitoringSection(files)::read);
        root.rejectUnknownKeys();
        CrossChecks.streams(root, device, agent, bridge, sensors);
        CrossChecks.agentCredentials(root, broker, agent, sensors, brokerSection.passwordUsers());
        CrossChecks.hardware(root, sensors);
        CrossChecks.commands(root, device, broker, bridge, sensors);
        return new DeviceConfig(device, broker, spool, agent, bridge, sensors, monitoring, files.named());
    }

    private DeviceIdentity readDevice(YamlMap m) {
        String id = m.string("id");
        if (id != null && !ConfigNames.DEVICE_ID.matcher(id).matches()) {
            m.error("id", "'" + id + "' is not a valid device id (letters, digits, '.', '_', '-'; at most 64; "
                    + "no '/', '+' or '#', which would break MQTT topics)");
        }
        String site = m.string("site");
        m.rejectUnknownKeys();
        return new DeviceIdentity(id == null ? "invalid" : id, site);
    }
}
