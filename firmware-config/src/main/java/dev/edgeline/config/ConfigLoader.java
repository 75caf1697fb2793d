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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
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
    private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern STREAM_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern LANE_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    private static final Pattern KAFKA_TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9.-]+|\\[[0-9a-fA-F:]+]):(\\d{1,5})");
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9a-fA-F.]*:[0-9a-fA-F:.]*");
    private static final Pattern W1_DEVICE_ID = Pattern.compile("28-[0-9a-f]{12}");
    /** The sensor types, as the schema declares them (one variant of sensors[] each). */
    private static final List<String> SENSOR_TYPES = ConfigSchema.get().keys().stream()
            .filter(k -> k.path().startsWith("sensors[") && k.path().endsWith("].type"))
            .map(k -> String.valueOf(k.allowed().getFirst())).toList();
    private static final ConfigSchema.ConfigKey OVERSAMPLING_T = ConfigSchema.key("sensors[bme280].oversampling.temperature");
    private static final ConfigSchema.ConfigKey OVERSAMPLING_P = ConfigSchema.key("sensors[bme280].oversampling.pressure");
    private static final ConfigSchema.ConfigKey OVERSAMPLING_H = ConfigSchema.key("sensors[bme280].oversampling.humidity");

    private final ErrorSink errors;
    private final Path base;
    /** The services whose files are checked (exist, readable by this user, well formed). */
    private final Set<DeviceService> checked;
    /** Every file the config names, with the services that read it, in the order read. */
    private final List<NamedFile> namedFiles = new ArrayList<>();
    /** The password file as read (and checked) by readAuth; empty when there is none or it could not be read. */
    private Optional<PasswordFile> passwordUsers = Optional.empty();

    private ConfigLoader(ErrorSink errors, Path base, Set<DeviceService> checked) {
        this.errors = errors;
        this.base = base;
        this.checked = Set.copyOf(checked);
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
        BrokerConfig broker = root.optionalMap("broker").map(this::readBroker)
                .orElse(new BrokerConfig(List.of(defaultListener()),
                        base.resolve(ConfigSchema.key("broker.data-directory").defaultString()),
                        BrokerConfig.SessionPersistence.IN_MEMORY, Optional.empty(),
                        BrokerConfig.IdentityLimits.defaults(), BridgeConfig.DEFAULT_MAX_RECORD_BYTES,
                        BrokerConfig.DEFAULT_START_TIMEOUT));
        SpoolConfig spool = root.map("spool").map(this::readSpool)
                .orElse(SpoolConfig.singleLane(base.resolve("spool"), 1 << 20, 1 << 30));
        AgentConfig agent = root.map("agent").map(m -> readAgent(m, broker))
                .orElse(AgentConfig.defaults("", base));
        BridgeConfig bridge = root.map("kafka").map(m -> readBridge(m, spool, broker.maxRecordBytes()))
                .orElse(new BridgeConfig("", List.of(), 1, Duration.ofSeconds(1),
                        ConfigSchema.key("kafka.gap-topic").defaultString()));
        List<SensorConfig> sensors = root.list("sensors", this::readSensor);
        Optional<MonitoringConfig> monitoring = root.optionalMap("monitoring").map(this::readMonitoring);
        root.rejectUnknownKeys();
        checkStreams(root, device, agent, bridge, sensors);
        checkAgentCredentials(root, broker, agent, sensors);
        checkHardware(root, sensors);
        return new DeviceConfig(device, broker, spool, agent, bridge, sensors, monitoring, namedFiles);
    }

    private DeviceIdentity readDevice(YamlMap m) {
        String id = m.string("id");
        if (id != null && !DEVICE_ID.matcher(id).matches()) {
            m.error("id", "'" + id + "' is not a valid device id (letters, digits, '.', '_', '-'; at most 64; "
                    + "no '/', '+' or '#', which would break MQTT topics)");
        }
        String site = m.string("site");
        m.rejectUnknownKeys();
        return new DeviceIdentity(id == null ? "invalid" : id, site);
    }

    private BrokerConfig readBroker(YamlMap m) {
        if (m.has("listener") && m.has("listeners")) {
            m.error("listeners", "give either listener (one) or listeners (several), not both");
        }
        List<BrokerConfig.Listener> listeners = new ArrayList<>();
        if (m.has("listeners")) {
            listeners.addAll(m.list("listeners", (path, node) -> YamlMap.of(path, node, errors)
                    .flatMap(l -> readListener(l, "listener-" + path.substring(path.lastIndexOf('[') + 1,
                            path.length() - 1)))));
            if (m.sizeOf("listeners") == 0 && m.isValid("listeners")) {
                m.error("listeners", "at least one listener is needed");
            }
        } else {
            m.optionalMap("listener").flatMap(l -> readListener(l, "listener-0")).ifPresent(listeners::add);
        }
        if (listeners.isEmpty()) {
            listeners.add(defaultListener());
        }
        checkListenerClashes(m, listeners);
        Path data = m.directory("data-directory", base);
        String persistence = m.string("session-persistence");
        BrokerConfig.SessionPersistence mode = "file".equals(persistence) ? BrokerConfig.SessionPersistence.FILE
                : BrokerConfig.SessionPersistence.IN_MEMORY; // the schema's enum refused anything else
        Optional<BrokerConfig.BrokerAuth> auth = m.optionalMap("auth").map(this::readAuth);
        BrokerConfig.IdentityLimits limits = m.optionalMap("identity-limits").map(this::readIdentityLimits)
                .orElse(BrokerConfig.IdentityLimits.defaults());
        BrokerConfig.Quotas quotas = m.optionalMap("quotas").map(this::readQuotas)
                .orElse(BrokerConfig.Quotas.defaults());
        // A record must fit a spool frame (16 MiB) with its names, and a Kafka request with its key and headers.
        int maxRecordBytes = m.integer("max-record-bytes");
        java.time.Duration startTimeout = m.duration("start-timeout");
        if (startTimeout.compareTo(java.time.Duration.ofSeconds(1)) < 0) {
            m.error("start-timeout", m.string("start-timeout") + " is shorter than 1s");
        }
        m.rejectUnknownKeys();
        boolean passwords = auth.flatMap(BrokerConfig.BrokerAuth::passwordFile).isPresent();
        String listenersKey = m.has("listeners") ? "listeners" : "listener";
        for (int i = 0; i < listeners.size(); i++) {
            BrokerConfig.Listener l = listeners.get(i);
            String at = m.has("listeners") ? "listeners[" + i + "]" : "listener";
            boolean authenticated = passwords || l.requiresClientCertificate();
            if (!authenticated && !l.loopback() && !l.insecure()) {
                m.error(at + ".host", l.host() + " is reachable from the LAN but this listener authenticates no one: "
                        + "set broker.auth.password-file, or tls.client-ca-file (mTLS), or 'insecure: true' to accept "
                        + "anonymous clients on the LAN knowingly");
            }
            if (authenticated && l.insecure()) {
                m.error(at + ".insecure", "this listener authenticates its clients; 'insecure: true' would mean "
                        + "nothing here (remove it)");
            }
        }
        if (auth.isPresent() && auth.get().passwordFile().isEmpty()
                && listeners.stream().noneMatch(BrokerConfig.Listener::requiresClientCertificate)) {
            m.error("auth", "has no password-file and no listener takes client certificates: no client could connect");
        }
        if (auth.isEmpty()
                && listeners.stream().anyMatch(BrokerConfig.Listener::requiresClientCertificate)) {
            m.error(listenersKey, "a listener takes client certificates but broker.auth lists no clients: "
                    + "every certificate client would be refused (add broker.auth.clients)");
        }
        return new BrokerConfig(listeners, data, mode, auth, limits, maxRecordBytes, startTimeout, quotas);
    }

    private MonitoringConfig readMonitoring(YamlMap m) {
        String host = m.string("host");
        int brokerPort = m.integer("broker-port");
        int bridgePort = m.integer("bridge-port");
        Duration stallAfter = m.duration("stall-after");
        Optional<Path> tokenFile = readableFile(m, "bearer-token-file", DeviceService.BROKER,
                DeviceService.BRIDGE);
        m.rejectUnknownKeys();
        if (host != null && loopbackOf(host).isEmpty()) {
            m.error("host", "'" + host + "' is not an IP address to bind (such as 127.0.0.1 or 0.0.0.0) or localhost");
        }
        if (brokerPort == bridgePort) {
            m.error("bridge-port", bridgePort + " is also broker-port: the two services need a port each");
        }
        if (stallAfter != null && stallAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            m.error("stall-after", stallAfter + " is below the 1 s minimum");
        }
        return new MonitoringConfig(orDefault(host, m, "host"), brokerPort, bridgePort,
                stallAfter == null ? MonitoringConfig.DEFAULT_STALL_AFTER : stallAfter, tokenFile);
    }

    private Optional<BrokerConfig.Listener> readListener(YamlMap l, String defaultName) {
        String name = l.string("name", defaultName);
        String host = l.string("host");
        int port = l.integer("port");
        Optional<BrokerConfig.ListenerTls> tls = l.optionalMap("tls").map(this::readListenerTls);
        boolean insecure = l.bool("insecure");
        l.rejectUnknownKeys();
        if (name != null && !LANE_NAME.matcher(name).matches()) {
            l.error("name", "'" + name + "' is not a valid listener name ([a-z][a-z0-9_-]*, at most 32)");
        }
        Optional<Boolean> loopback = host == null ? Optional.empty() : loopbackOf(host);
        if (host != null && loopback.isEmpty()) {
            l.error("host", "'" + host + "' is not an IP address to bind (such as 127.0.0.1, 0.0.0.0, ::, "
                    + "192.168.1.20) or localhost");
        }
        return Optional.of(new BrokerConfig.Listener(name == null ? defaultName : name,
                orDefault(host, l, "host"), port, tls, insecure, loopback.orElse(true)));
    }

    /** The one listener of a configuration that names none: the schema's defaults (loopback, port 1883). */
    private static BrokerConfig.Listener defaultListener() {
        return new BrokerConfig.Listener("listener-0", ConfigSchema.key("broker.listener.host").defaultString(),
                ConfigSchema.key("broker.listener.port").defaultInt(), Optional.empty(), false, true);
    }

    /** Whether {@code host} is a loopback address; empty when it is not an IP literal or {@code localhost}. */
    private static Optional<Boolean> loopbackOf(String host) {
        if ("localhost".equals(host)) {
            return Optional.of(true);
        }
        if (!IP_LITERAL.matcher(host).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(java.net.InetAddress.ofLiteral(host).isLoopbackAddress());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private void checkListenerClashes(YamlMap m, List<BrokerConfig.Listener> listeners) {
        Map<Integer, Integer> ports = new HashMap<>();
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < listeners.size(); i++) {
            Integer previous = ports.putIfAbsent(listeners.get(i).port(), i);
            if (previous != null) {
                m.error("listeners[" + i + "].port", listeners.get(i).port() + " is already used by listeners["
                        + previous + "]");
            }
            Integer sameName = names.putIfAbsent(listeners.get(i).name(), i);
            if (sameName != null) {
                m.error("listeners[" + i + "].name", "duplicate listener name '" + listeners.get(i).name()
                        + "' (already used by listeners[" + sameName + "])");
            }
        }
    }

    private BrokerConfig.ListenerTls readListenerTls(YamlMap t) {
        Path cert = readableFile(t, "cert-file", DeviceService.BROKER).orElse(base);
        Path key = readableFile(t, "key-file", DeviceService.BROKER).orElse(base);
        Optional<Path> clientCa = readableFile(t, "client-ca-file", DeviceService.BROKER);
        List<String> protocols = t.has("protocols") ? names(t, "protocols", Set.of("TLSv1.3", "TLSv1.2"),
                "TLSv1.3 or TLSv1.2") : BrokerConfig.ListenerTls.DEFAULT_PROTOCOLS;
        List<String> suites = t.has("cipher-suites") ? names(t, "cipher-suites", supportedCipherSuites(),
                "a cipher suite this Java supports (JSSE name, such as TLS_AES_128_GCM_SHA256)")
                : BrokerConfig.ListenerTls.DEFAULT_CIPHER_SUITES;
        t.rejectUnknownKeys();
        checkCertificateAndKey(t, DeviceService.BROKER, "cert-file", Optional.of(cert), "key-file", Optional.of(key));
        clientCa.ifPresent(ca -> checkCertificates(t, DeviceService.BROKER, "client-ca-file", ca));
        return new BrokerConfig.ListenerTls(cert, key, clientCa, protocols, suites);
    }

    /** A list of names, each one of {@code allowed}; an empty list is an error too. */
    private List<String> names(YamlMap m, String key, Set<String> allowed, String what) {
        List<String> names = m.list(key, (path, node) -> {
            if (!(node instanceof org.yaml.snakeyaml.nodes.ScalarNode scalar) || !allowed.contains(scalar.getValue())) {
                errors.add(path, (node instanceof org.yaml.snakeyaml.nodes.ScalarNode scalar
                        ? "'" + scalar.getValue() + "'" : "this") + " is not " + what);
                return Optional.empty();
            }
            return Optional.of(scalar.getValue());
        });
        if (names.isEmpty()) {
            m.error(key, "must name at least one");
        }
        return names;
    }

    private static Set<String> supportedCipherSuites() {
        try {
            return Set.of(javax.net.ssl.SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no TLS", e);
        }
    }

    /**
     * With the files checked: the certificate parses and has not expired, and the key is its private key (what the
     * service would find out only when it starts).
     */
    private void checkCertificateAndKey(YamlMap m, DeviceService reader, String certKey, Optional<Path> cert,
                                        String keyKey, Optional<Path> key) {
        if (!checked.contains(reader) || cert.isEmpty() || !isReadableFile(cert.get())) {
            return;
        }
        java.security.cert.X509Certificate leaf;
        try {
            leaf = PemFiles.certificates(cert.get()).getFirst();
            PemFiles.requireNotExpired(cert.get(), leaf, java.time.Instant.now());
        } catch (IOException e) {
            m.error(certKey, e.getMessage());
            return;
        }
        if (key.isPresent() && isReadableFile(key.get())) {
            try {
                PemFiles.privateKey(key.get(), leaf);
            } catch (IOException e) {
                m.error(keyKey, e.getMessage());
            }
        }
    }

    /** With the files checked: a PEM file of CA certificates that parses. */
    private void checkCertificates(YamlMap m, DeviceService reader, String key, Path file) {
        if (!checked.contains(reader) || !isReadableFile(file)) {
            return;
        }
        try {
            PemFiles.certificates(file);
        } catch (IOException e) {
            m.error(key, e.getMessage());
        }
    }

    private static boolean isReadableFile(Path file) {
        return Files.isRegularFile(file) && Files.isReadable(file);
    }

    private BrokerConfig.BrokerAuth readAuth(YamlMap a) {
        Optional<Path> passwordFile = readableFile(a, "password-file", DeviceService.BROKER);
        List<BrokerConfig.ClientAcl> clients = a.has("clients")
                ? a.list("clients", (path, node) -> YamlMap.of(path, node, errors).flatMap(this::readClientAcl))
                : List.of();
        a.rejectUnknownKeys();
        if (passwordFile.isPresent() && checked.contains(DeviceService.BROKER) && Files.isReadable(passwordFile.get())) {
            try {
                passwordUsers = Optional.of(PasswordFile.read(passwordFile.get()));
            } catch (PasswordFile.InvalidPasswordFileException e) {
                e.problems().forEach(problem -> a.error("password-file", problem));
            }
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < clients.size(); i++) {
            Integer previous = seen.putIfAbsent(clients.get(i).user(), i);
            if (previous != null) {
                a.error("clients[" + i + "].user", "duplicate user '" + clients.get(i).user()
                        + "' (already in clients[" + previous + "])");
            }
        }
        return new BrokerConfig.BrokerAuth(passwordFile, clients);
    }

    private Optional<BrokerConfig.ClientAcl> readClientAcl(YamlMap c) {
        String user = c.string("user");
        List<String> publish = c.has("publish") ? topicFilters(c, "publish") : List.of();
        List<String> subscribe = c.has("subscribe") ? topicFilters(c, "subscribe") : List.of();
        BrokerConfig.IdentityTrust identity = c.choice("identity", List.of(BrokerConfig.IdentityTrust.ASSIGNED, BrokerConfig.IdentityTrust.TRUSTED,
                        BrokerConfig.IdentityTrust.DEVICE_SEQ), BrokerConfig.IdentityTrust::configName);
        List<String> clientIds = c.has("client-ids") ? c.list("client-ids", (path, node) -> {
            if (!(node instanceof org.yaml.snakeyaml.nodes.ScalarNode scalar) || scalar.getValue().isEmpty()) {
                errors.add(path, "must be a client id, or a client id prefix ending in *");
                return Optional.empty();
            }
            String id = scalar.getValue();
            if (id.indexOf('*') >= 0 && id.indexOf('*') != id.length() - 1) {
                errors.add(path, "'" + id + "': * may only end a client id prefix");
                return Optional.empty();
            }
            return Optional.of(id);
        }) : BrokerConfig.ClientAcl.DEFAULT_CLIENT_IDS;
        c.rejectUnknownKeys();
        return user == null || identity == null ? Optional.empty()
                : Optional.of(new BrokerConfig.ClientAcl(user, publish, subscribe, identity, clientIds));
    }

    private List<String> topicFilters(YamlMap m, String key) {
        return m.list(key, (path, node) -> {
            if (!(node instanceof org.yaml.snakeyaml.nodes.ScalarNode scalar)) {
                errors.add(path, "must be a topic filter string");
                return Optional.empty();
            }
            String filter = scalar.getValue();
            Optional<String> problem = TopicFilter.problemWith(filter.replace("{user}", "u").replace("{device}", "d"));
            if (problem.isPresent()) {
                errors.add(path, "'" + filter + "': " + problem.get());
                return Optional.empty();
            }
            return Optional.of(filter);
        });
    }

    private BrokerConfig.Quotas readQuotas(YamlMap m) {
        int publishes = m.integer("publishes-per-second");
        long bytes = m.longValue("bytes-per-second");
        int burst = m.integer("burst-seconds");
        m.rejectUnknownKeys();
        return new BrokerConfig.Quotas(publishes, bytes, burst);
    }

    private BrokerConfig.IdentityLimits readIdentityLimits(YamlMap m) {
        long boot = m.longValue("max-boot-jump");
        long seq = m.longValue("max-seq-jump");
        m.rejectUnknownKeys();
        return new BrokerConfig.IdentityLimits(boot, seq);
    }

    /**
     * A file that {@code readers} read, which must exist and be readable now by whoever checks a reader's files
     * (checked here so that a service never fails on it at start). Remembered as a {@link NamedFile}.
     */
    private Optional<Path> readableFile(YamlMap m, String key, DeviceService... readers) {
        boolean required = m.declaration(key).required();
        if (!required && !m.has(key)) {
            return Optional.empty();
        }
        Path file = m.directory(key, base);
        if (!m.has(key)) {
            return Optional.empty();
        }
        Set<DeviceService> readBy = Set.of(readers);
        namedFiles.add(new NamedFile(m.child(key), file, readBy));
        if (readBy.stream().noneMatch(checked::contains)) {
            return Optional.of(file);
        }
        if (!Files.isRegularFile(file)) {
            m.error(key, file + " does not exist or is not a file");
        } else if (!Files.isReadable(file)) {
            m.error(key, file + " is not readable by this user");
        }
        return Optional.of(file);
    }

    private SpoolConfig readSpool(YamlMap m) {
        Path directory = m.directory("directory", base);
        long segmentBytes = m.longValue("segment-bytes");
        long budget = m.longValue("budget-bytes");
        Duration blockTimeout = m.duration("block-timeout");
        int maxStreams = m.integer("max-streams");
        int maxStreamsPerDevice = m.integer("max-streams-per-device");
        boolean sizesValid = m.isValid("segment-bytes") && m.isValid("budget-bytes");
        List<SpoolConfig.Lane> lanes = m.has("lanes")
                ? m.list("lanes", (path, node) -> YamlMap.of(path, node, errors)
                        .flatMap(l -> readLane(l, budget, segmentBytes, sizesValid)))
                : List.of(new SpoolConfig.Lane(SpoolConfig.DEFAULT_LANE, budget, SpoolConfig.FullPolicy.BLOCK));
        m.rejectUnknownKeys();
        if (sizesValid && budget < 2 * segmentBytes) {
            m.error("budget-bytes", budget + " must be at least twice segment-bytes (" + segmentBytes + ")");
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lanes.size(); i++) {
            Integer previous = seen.putIfAbsent(lanes.get(i).name(), i);
            if (previous != null) {
                m.error("lanes[" + i + "].name", "duplicate lane name '" + lanes.get(i).name()
                        + "' (already used by lanes[" + previous + "])");
            }
        }
        if (m.has("lanes") && m.sizeOf("lanes") == 0) {
            m.error("lanes", "at least one lane is needed");
        }
        if (lanes.isEmpty()) { // none, or none valid (each reported): a placeholder so that later checks can run
            lanes = List.of(new SpoolConfig.Lane(SpoolConfig.DEFAULT_LANE, budget, SpoolConfig.FullPolicy.BLOCK));
        }
        return new SpoolConfig(directory, segmentBytes, budget, lanes, blockTimeout,
                new SpoolConfig.StreamLimits(maxStreams, maxStreamsPerDevice));
    }

    private Optional<SpoolConfig.Lane> readLane(YamlMap m, long spoolBudget, long segmentBytes, boolean sizesValid) {
        String name = m.string("name");
        if (name != null && !LANE_NAME.matcher(name).matches()) {
            m.error("name", "'" + name + "' is not a valid lane name ([a-z][a-z0-9_-]*, at most 32)");
        }
        long budget = m.longValue("budget-bytes", spoolBudget);
        boolean budgetIsUsers = m.has("budget-bytes") ? m.isValid("budget-bytes") && sizesValid : sizesValid;
        if (budgetIsUsers && budget < 2 * segmentBytes) {
            m.error("budget-bytes", budget + " must be at least twice the spool's segment-bytes (" + segmentBytes + ")");
        }
        String policy = m.string("when-full");
        SpoolConfig.FullPolicy whenFull = "drop-oldest".equals(policy) ? SpoolConfig.FullPolicy.DROP_OLDEST
                : SpoolConfig.FullPolicy.BLOCK;
        m.rejectUnknownKeys();
        return name == null ? Optional.empty() : Optional.of(new SpoolConfig.Lane(name, budget, whenFull));
    }

    private AgentConfig readAgent(YamlMap m, BrokerConfig broker) {
        String defaultUri = "tcp://" + broker.host() + ":" + broker.port();
        String uri = m.string("broker-uri", defaultUri);
        if (uri != null && !(uri.startsWith("tcp://") || uri.startsWith("ssl://"))) {
            m.error("broker-uri", "'" + uri + "' must start with tcp:// or ssl://");
        }
        Path state = m.directory("state-directory", base);
        int maxInFlight = m.integer("max-in-flight");
        long outboxBudget = m.longValue("outbox-budget-bytes");
        Duration outboxSync = m.duration("outbox-sync-interval");
        Duration reconnect = m.duration("reconnect-delay-max");
        Duration sessionExpiry = m.duration("session-expiry");
        if (sessionExpiry.toSeconds() > 0xFFFF_FFFEL) {
            m.error("session-expiry", sessionExpiry + " is longer than MQTT allows (about 136 years)");
        }
        String healthStream = m.string("health-stream");
        if (healthStream != null && !STREAM_NAME.matcher(healthStream).matches()) {
            m.error("health-stream", "'" + healthStream + "' is not a valid stream name ([a-z0-9][a-z0-9_-]*, at most 64)");
        }
        Path oneWire = m.directory("one-wire-directory", base);
        Duration retryMax = m.duration("sensor-retry-max");
        String username = m.string("username");
        Optional<Path> passwordFile = readableFile(m, "password-file", DeviceService.AGENT);
        m.rejectUnknownKeys();
        if (username != null && !username.isEmpty() && passwordFile.isEmpty()) {
            m.error("password-file", "is required with agent.username (the password is read from this file)");
        }
        if (passwordFile.isPresent() && (username == null || username.isEmpty())) {
            m.error("username", "is required with agent.password-file");
        }
        return new AgentConfig(uri, state, maxInFlight, outboxBudget, outboxSync, reconnect, sessionExpiry,
                healthStream == null ? AgentConfig.DEFAULT_HEALTH_STREAM : healthStream, oneWire, retryMax,
                username == null ? "" : username, passwordFile);
    }

    private BridgeConfig readBridge(YamlMap m, SpoolConfig spool, int maxRecordBytes) {
        String bootstrap = m.string("bootstrap-servers");
        if (bootstrap != null) {
            for (String server : bootstrap.split(",")) {
                var matcher = HOST_PORT.matcher(server.trim());
                if (!matcher.matches() || Integer.parseInt(matcher.group(2)) < 1
                        || Integer.parseInt(matcher.group(2)) > 65535) {
                    m.error("bootstrap-servers", "'" + server.trim() + "' is not host:port with a port 1..65535");
                }
            }
        }
        List<Route> routes = m.list("routes", (path, node) -> YamlMap.of(path, node, errors)
                .flatMap(r -> readRoute(r, spool)));
        if (m.has("routes") && m.sizeOf("routes") == 0 && m.isValid("routes")) {
            m.error("routes", "at least one route is needed, or nothing is bridged");
        }
        int batch = m.integer("batch-records");
        Duration backoff = m.duration("retry-backoff-max");
        String gapTopic = m.string("gap-topic");
        if (gapTopic != null && !KAFKA_TOPIC.matcher(gapTopic).matches()) {
            m.error("gap-topic", "'" + gapTopic + "' is not a valid Kafka topic name ([A-Za-z0-9._-], 1..249)");
        }
        String deliveryText = m.string("delivery");
        BridgeConfig.Delivery delivery = "at-least-once".equals(deliveryText) ? BridgeConfig.Delivery.AT_LEAST_ONCE
                : BridgeConfig.Delivery.EXACTLY_ONCE;
        String checkpointTopic = m.string("checkpoint-topic");
        if (checkpointTopic != null && !KAFKA_TOPIC.matcher(checkpointTopic).matches()) {
            m.error("checkpoint-topic", "'" + checkpointTopic + "' is not a valid Kafka topic name ([A-Za-z0-9._-], 1..249)");
        }
        KafkaSecurity security = m.optionalMap("security").map(this::readSecurity).orElse(KafkaSecurity.plaintext());
        long maxBytesPerSecond = m.longValue("max-bytes-per-second");
        String compression = m.string("compression");
        m.rejectUnknownKeys();
        return new BridgeConfig(bootstrap == null ? "" : bootstrap, routes, batch, backoff,
                orDefault(gapTopic, m, "gap-topic"), delivery, orDefault(checkpointTopic, m, "checkpoint-topic"),
                orDefault(compression, m, "compression"), security, maxBytesPerSecond, maxRecordBytes);
    }

    private KafkaSecurity readSecurity(YamlMap m) {
        String protocolText = m.string("protocol");
        KafkaSecurity.Protocol protocol = KafkaSecurity.Protocol.valueOf(orDefault(protocolText, m, "protocol"));
        Optional<Path> ca = readableFile(m, "ca-file", DeviceService.BRIDGE);
        Optional<Path> cert = readableFile(m, "client-cert-file", DeviceService.BRIDGE);
        Optional<Path> key = readableFile(m, "client-key-file", DeviceService.BRIDGE);
        String mechanism = m.string("sasl-mechanism");
        String username = m.string("username");
        Optional<Path> password = readableFile(m, "password-file", DeviceService.BRIDGE);
        m.rejectUnknownKeys();
        if (cert.isPresent() != key.isPresent()) {
            m.error(cert.isPresent() ? "client-key-file" : "client-cert-file",
                    "client-cert-file and client-key-file go together (mTLS)");
        }
        ca.ifPresent(file -> checkCertificates(m, DeviceService.BRIDGE, "ca-file", file));
        checkCertificateAndKey(m, DeviceService.BRIDGE, "client-cert-file", cert, "client-key-file", key);
        if (protocol == KafkaSecurity.Protocol.SASL_SSL) {
            if (username == null || username.isBlank()) {
                m.error("username", "is required with SASL_SSL");
            }
            if (password.isEmpty()) {
                m.error("password-file", "is required with SASL_SSL (the password is read from this file)");
            }
        }
        if (protocol == KafkaSecurity.Protocol.PLAINTEXT && (ca.isPresent() || cert.isPresent() || password.isPresent())) {
            m.error("protocol", "PLAINTEXT sends no certificates or passwords; use SSL or SASL_SSL");
        }
        return new KafkaSecurity(protocol, ca, cert, key, mechanism == null ? "" : mechanism,
                username == null ? "" : username, password);
    }

    private Optional<Route> readRoute(YamlMap m, SpoolConfig spool) {
        String filter = m.string("mqtt-filter");
        String topic = m.string("kafka-topic");
        String key = m.string("key");
        boolean headersGiven = m.has("headers");
        Route.Headers headers = m.choice("headers", Route.choices(Route.Headers.class),
                Route.Named::configName);
        Route.Format format = m.choice("format", Route.choices(Route.Format.class),
                Route.Named::configName);
        Route.Timestamp timestamp = m.choice("timestamp",
                Route.choices(Route.Timestamp.class), Route.Named::configName);
        if (headersGiven && format != null && format != Route.Format.BINARY) {
            m.error("headers", "applies to format: binary only (format: " + format.configName() + " writes the"
                    + " identity headers and puts everything else in the JSON value)");
            headers = null;
        }
        String lane;
        if (spool.lanes().size() == 1) {
            lane = m.string("lane", spool.lanes().getFirst().name());
        } else {
            lane = m.string("lane");
            if (lane == null && m.isValid("lane")) {
                m.error("lane", "is required: spool.lanes has several lanes");
            }
        }
        m.rejectUnknownKeys();
        if (lane != null && spool.lane(lane).isEmpty()) {
            m.error("lane", "unknown lane '" + lane + "'; spool.lanes has: "
                    + String.join(", ", spool.lanes().stream().map(SpoolConfig.Lane::name).toList()));
            lane = null;
        }
        boolean valid = filter != null && topic != null && key != null && lane != null && headers != null
                && format != null && timestamp != null;
        if (filter != null) {
            Optional<String> problem = TopicFilter.problemWith(filter);
            problem.ifPresent(p -> m.error("mqtt-filter", p));
            valid &= problem.isEmpty();
        }
        if (topic != null && !KAFKA_TOPIC.matcher(topic).matches()) {
            m.error("kafka-topic", "'" + topic + "' is not a valid Kafka topic name ([A-Za-z0-9._-], 1..249)");
            valid = false;
        }
        if (key != null) {
            Optional<String> problem = KeyTemplate.problemWith(key);
            problem.ifPresent(p -> m.error("key", p));
            valid &= problem.isEmpty();
        }
        return valid ? Optional.of(new Route(TopicFilter.parse(filter), topic, KeyTemplate.parse(key), lane, headers,
                format, timestamp))
                : Optional.empty();
    }

    private Optional<SensorConfig> readSensor(String path, Node node) {
        return YamlMap.of(path, node, errors).flatMap(m -> {
            // Each type declares its keys (sensors[bme280].address); stream, type and period are in every one.
            String declaredType = m.peek("type");
            m.declaredAs("sensors[" + (SENSOR_TYPES.contains(declaredType) ? declaredType : SENSOR_TYPES.getFirst()) + "]");
            String stream = m.string("stream");
            if (stream != null && !STREAM_NAME.matcher(stream).matches()) {
                m.error("stream", "'" + stream + "' is not a valid stream name ([a-z0-9][a-z0-9_-]*, at most 64)");
            }
            String type = m.string("type");
            Duration period = m.duration("period");
            if (m.has("period") && (period.compareTo(Duration.ofMillis(1)) < 0 || period.compareTo(Duration.ofDays(1)) > 0)) {
                m.error("period", period + " is out of range 1ms..24h");
            }
            if (type == null) {
                m.rejectUnknownKeys();
                return Optional.empty();
            }
            Optional<SensorConfig> sensor = switch (type) {
                case SensorConfig.SimulatedAnalog.TYPE -> Optional.of(new SensorConfig.SimulatedAnalog(stream, period,
                        m.string("unit"), m.decimal("mean"), m.decimal("amplitude"), m.decimal("noise"),
                        m.duration("cycle")));
                case SensorConfig.SimulatedDigital.TYPE -> Optional.of(new SensorConfig.SimulatedDigital(stream, period,
                        m.integer("toggle-every")));
                case SensorConfig.Bme280.TYPE -> readBme280(m, stream, period);
                case SensorConfig.Ds18b20.TYPE -> readDs18b20(m, stream, period);
                case SensorConfig.Mcp3008.TYPE -> readMcp3008(m, stream, period);
                case SensorConfig.DigitalInput.TYPE -> readDigitalInput(m, stream, period);
                default -> {
                    m.error("type", "unknown sensor type '" + type + "'; known types: " + String.join(", ", SENSOR_TYPES));
                    yield Optional.empty();
                }
            };
            m.rejectUnknownKeys();
            return stream == null ? Optional.empty() : sensor;
        });
    }

    private Optional<SensorConfig> readBme280(YamlMap m, String stream, Duration period) {
        int bus = m.integer("i2c-bus");
        if (bus == 2) {
            m.error("i2c-bus", "2 is reserved for the HDMI display's DDC on a Raspberry Pi; use 1 (or 0, 3..6)");
        }
        int address = m.integer("address");
        if (m.has("address") && address != 0x76 && address != 0x77) {
            m.error("address", "0x" + Integer.toHexString(address) + " is not a BME280 address (0x76 or 0x77)");
        }
        String modeText = m.string("mode");
        SensorConfig.Bme280Mode mode = "normal".equals(modeText) ? SensorConfig.Bme280Mode.NORMAL
                : SensorConfig.Bme280Mode.FORCED;
        int osrsT = OVERSAMPLING_T.defaultInt();
        int osrsP = OVERSAMPLING_P.defaultInt();
        int osrsH = OVERSAMPLING_H.defaultInt();
        Optional<YamlMap> oversampling = m.optionalMap("oversampling");
        if (oversampling.isPresent()) {
            YamlMap o = oversampling.get();
            osrsT = o.integer("temperature");
            if (osrsT == 0 && o.isValid("temperature")) {
                o.error("temperature", "0 would skip temperature, which pressure and humidity compensation need");
            } else {
                osrsT = oneOf(o, "temperature", osrsT);
            }
            osrsP = oneOf(o, "pressure", o.integer("pressure"));
            osrsH = oneOf(o, "humidity", o.integer("humidity"));
            o.rejectUnknownKeys();
        }
        int filter = oneOf(m, "iir-filter", m.integer("iir-filter"));
        if (mode == SensorConfig.Bme280Mode.FORCED && period.compareTo(Duration.ofMillis(100)) < 0) {
            m.error("period", period + " is too short for forced mode (a measurement takes up to ~113 ms at "
                    + "16x oversampling); use at least 100ms or mode: normal");
        }
        return Optional.of(new SensorConfig.Bme280(stream, period, bus, address, mode, osrsT, osrsP, osrsH, filter));
    }

    /** {@code value}, or the schema's default of {@code key} when it was refused (so that reading can go on). */
    private static String orDefault(String value, YamlMap m, String key) {
        return value != null ? value : m.declaration(key).defaultString();
    }

    /** {@code value} when it is one of the values the schema allows for {@code key}; else an error, and the default. */
    private static int oneOf(YamlMap m, String key, int value) {
        ConfigSchema.ConfigKey declared = m.declaration(key);
        if (m.isValid(key) && !declared.allowed().contains(value)) {
            m.error(key, value + " is not one of: " + declared.allowed().stream().map(String::valueOf)
                    .reduce((a, b) -> a + ", " + b).orElse(""));
            return declared.defaultInt();
        }
        return value;
    }

    private Optional<SensorConfig> readDs18b20(YamlMap m, String stream, Duration period) {
        String deviceId = m.string("device-id");
        if (deviceId != null && !W1_DEVICE_ID.matcher(deviceId).matches()) {
            m.error("device-id", "'" + deviceId + "' is not a DS18B20 1-Wire id ('28-' and 12 lowercase hex digits, "
                    + "as listed in /sys/bus/w1/devices)");
        }
        int pin = m.integer("gpio-pin");
        if (period.compareTo(Duration.ofSeconds(1)) < 0) {
            m.error("period", period + " is shorter than a DS18B20 conversion plus the w1 read (~0.8 s); use 1s or more");
        }
        return deviceId == null ? Optional.empty() : Optional.of(new SensorConfig.Ds18b20(stream, period, deviceId, pin));
    }

    private Optional<SensorConfig> readMcp3008(YamlMap m, String stream, Duration period) {
        int bus = m.integer("spi-bus");
        if (bus == 2) {
            m.error("spi-bus", "SPI2 is not on the Raspberry Pi's header; use 0, 1 or 3..6");
        }
        int chipSelect = m.integer("chip-select");
        if (bus != 1 && chipSelect > 1 && m.isValid("chip-select")) {
            m.error("chip-select", chipSelect + " is out of range 0..1 (only SPI1 has a third chip select)");
        }
        int channel = m.integer("channel");
        double reference = m.decimal("reference-volts");
        if (reference <= 0 || reference > 5.5) {
            m.error("reference-volts", reference + " is out of range (0, 5.5]");
        }
        int speed = m.integer("speed-hz");
        return Optional.of(new SensorConfig.Mcp3008(stream, period, bus, chipSelect, channel, reference, speed));
    }

    private Optional<SensorConfig> readDigitalInput(YamlMap m, String stream, Duration period) {
        int pin = m.integer("gpio-pin");
        String pullText = m.string("pull");
        SensorConfig.Pull pull = switch (orDefault(pullText, m, "pull")) {
            case "up" -> SensorConfig.Pull.UP;
            case "down" -> SensorConfig.Pull.DOWN;
            default -> SensorConfig.Pull.NONE;
        };
        Duration debounce = m.duration("debounce");
        if (debounce.isNegative() || debounce.compareTo(Duration.ofSeconds(10)) > 0) {
            m.error("debounce", debounce + " is out of range 0..10s");
        }
        return Optional.of(new SensorConfig.DigitalInput(stream, period, pin, pull, debounce));
    }

    private void checkHardware(YamlMap root, List<SensorConfig> sensors) {
        Map<String, Integer> claimed = new HashMap<>();
        for (int i = 0; i < sensors.size(); i++) {
            for (String resource : resourcesOf(sensors.get(i))) {
                Integer previous = claimed.putIfAbsent(resource, i);
                if (previous != null) {
                    root.error("sensors[" + i + "]", resource + " is already used by sensors[" + previous + "]");
                }
            }
        }
    }

    private static List<String> resourcesOf(SensorConfig sensor) {
        return switch (sensor) {
            case SensorConfig.Bme280 b -> List.of("I2C bus " + b.i2cBus() + " address 0x" + Integer.toHexString(b.address()));
            case SensorConfig.Ds18b20 d -> List.of("1-Wire device " + d.deviceId());
            case SensorConfig.Mcp3008 a -> List.of("MCP3008 on /dev/spidev" + a.spiBus() + "." + a.chipSelect()
                    + " channel " + a.channel());
            case SensorConfig.DigitalInput d -> List.of("GPIO " + d.pin());
            case SensorConfig.SimulatedAnalog ignored -> List.of();
            case SensorConfig.SimulatedDigital ignored -> List.of();
        };
    }

    private void checkStreams(YamlMap root, DeviceIdentity device, AgentConfig agent, BridgeConfig bridge,
                              List<SensorConfig> sensors) {
        Map<String, String> owner = new HashMap<>();
        owner.put(agent.healthStream(), "agent.health-stream");
        owner.put(RecordEnvelope.BROKER_HEALTH_STREAM, "the broker's health stream");
        for (int i = 0; i < sensors.size(); i++) {
            for (String stream : sensors.get(i).streams()) {
                String previous = owner.putIfAbsent(stream, "sensors[" + i + "]");
                if (previous != null) {
                    root.error("sensors[" + i + "].stream", "duplicate stream name '" + stream
                            + "' (already used by " + previous + ")");
                }
                checkRouted(root, "sensors[" + i + "].stream", device, bridge, stream);
            }
        }
        if (!sensors.isEmpty()) {
            checkRouted(root, "agent.health-stream", device, bridge, agent.healthStream());
        }
        checkRouted(root, "kafka.routes", device, bridge, RecordEnvelope.BROKER_HEALTH_STREAM);
    }

    /** With passwords required, the agent needs its own user, which must be in the password file. */
    private void checkAgentCredentials(YamlMap root, BrokerConfig broker, AgentConfig agent,
                                       List<SensorConfig> sensors) {
        Optional<Path> passwords = broker.auth().flatMap(BrokerConfig.BrokerAuth::passwordFile);
        if (passwords.isEmpty() || sensors.isEmpty()) {
            return;
        }
        if (agent.username().isEmpty()) {
            root.error("agent.username", "is required: broker.auth.password-file makes the broker ask every client "
                    + "for a password, the agent included (and agent.password-file)");
            return;
        }
        if (passwordUsers.isPresent() && !passwordUsers.get().hasUser(agent.username())) {
            root.error("agent.username", "'" + agent.username() + "' is not in " + passwords.get());
        }
        Optional<BrokerConfig.ClientAcl> acl = broker.auth().get().aclFor(agent.username());
        if (acl.isPresent() && acl.get().identity() != BrokerConfig.IdentityTrust.TRUSTED) {
            root.error("broker.auth.clients", "the agent's user '" + agent.username() + "' needs identity: trusted "
                    + "(or no entry: it then may publish on edge/<device>/+ with its identity)");
        }
    }

    private static void checkRouted(YamlMap root, String path, DeviceIdentity device, BridgeConfig bridge,
                                    String stream) {
        String topic = RecordEnvelope.readingTopic(device.id(), stream);
        if (!bridge.routes().isEmpty() && !bridge.isBridged(topic)) {
            root.error(path, "stream '" + stream + "' publishes on " + topic
                    + ", which no kafka.routes entry matches, so it would never reach Kafka");
        }
    }
}
