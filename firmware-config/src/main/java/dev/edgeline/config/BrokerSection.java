package dev.edgeline.config;

import dev.edgeline.config.internal.ErrorSink;
import dev.edgeline.config.internal.YamlMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads {@code broker}: its listeners (and their TLS), authentication and ACLs, quotas and limits. */
final class BrokerSection {
    private final ErrorSink errors;
    private final ConfigFiles files;
    private final Path base;
    /** The password file as read (and checked) by readAuth; empty when there is none or it could not be read. */
    private Optional<PasswordFile> passwordUsers = Optional.empty();

    BrokerSection(ErrorSink errors, ConfigFiles files, Path base) {
        this.errors = errors;
        this.files = files;
        this.base = base;
    }

    /** The users of the broker's password file, when it was read. */
    Optional<PasswordFile> passwordUsers() {
        return passwordUsers;
    }

    BrokerConfig read(YamlMap m) {
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

    private Optional<BrokerConfig.Listener> readListener(YamlMap l, String defaultName) {
        String name = l.string("name", defaultName);
        String host = l.string("host");
        int port = l.integer("port");
        Optional<BrokerConfig.ListenerTls> tls = l.optionalMap("tls").map(this::readListenerTls);
        boolean insecure = l.bool("insecure");
        l.rejectUnknownKeys();
        if (name != null && !ConfigNames.LANE_NAME.matcher(name).matches()) {
            l.error("name", "'" + name + "' is not a valid listener name ([a-z][a-z0-9_-]*, at most 32)");
        }
        Optional<Boolean> loopback = host == null ? Optional.empty() : loopbackOf(host);
        if (host != null && loopback.isEmpty()) {
            l.error("host", "'" + host + "' is not an IP address to bind (such as 127.0.0.1, 0.0.0.0, ::, "
                    + "192.168.1.20) or localhost");
        }
        return Optional.of(new BrokerConfig.Listener(name == null ? defaultName : name,
                l.orDefault(host, "host"), port, tls, insecure, loopback.orElse(true)));
    }

    /** The one listener of a configuration that names none: the schema's defaults (loopback, port 1883). */
    static BrokerConfig.Listener defaultListener() {
        return new BrokerConfig.Listener("listener-0", ConfigSchema.key("broker.listener.host").defaultString(),
                ConfigSchema.key("broker.listener.port").defaultInt(), Optional.empty(), false, true);
    }

    /** Whether {@code host} is a loopback address; empty when it is not an IP literal or {@code localhost}. */
    static Optional<Boolean> loopbackOf(String host) {
        if ("localhost".equals(host)) {
            return Optional.of(true);
        }
        if (!ConfigNames.IP_LITERAL.matcher(host).matches()) {
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
        Path cert = files.readableFile(t, "cert-file", DeviceService.BROKER).orElse(base);
        Path key = files.readableFile(t, "key-file", DeviceService.BROKER).orElse(base);
        Optional<Path> clientCa = files.readableFile(t, "client-ca-file", DeviceService.BROKER);
        List<String> protocols = t.has("protocols") ? names(t, "protocols", Set.of("TLSv1.3", "TLSv1.2"),
                "TLSv1.3 or TLSv1.2") : BrokerConfig.ListenerTls.DEFAULT_PROTOCOLS;
        List<String> suites = t.has("cipher-suites") ? names(t, "cipher-suites", supportedCipherSuites(),
                "a cipher suite this Java supports (JSSE name, such as TLS_AES_128_GCM_SHA256)")
                : BrokerConfig.ListenerTls.DEFAULT_CIPHER_SUITES;
        t.rejectUnknownKeys();
        files.checkCertificateAndKey(t, DeviceService.BROKER, "cert-file", Optional.of(cert), "key-file", Optional.of(key));
        clientCa.ifPresent(ca -> files.checkCertificates(t, DeviceService.BROKER, "client-ca-file", ca));
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

    private BrokerConfig.BrokerAuth readAuth(YamlMap a) {
        Optional<Path> passwordFile = files.readableFile(a, "password-file", DeviceService.BROKER);
        List<BrokerConfig.ClientAcl> clients = a.has("clients")
                ? a.list("clients", (path, node) -> YamlMap.of(path, node, errors).flatMap(this::readClientAcl))
                : List.of();
        a.rejectUnknownKeys();
        if (passwordFile.isPresent() && files.checks(DeviceService.BROKER) && Files.isReadable(passwordFile.get())) {
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
}
