package dev.edgeline.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The embedded MQTT broker.
 *
 * @param listeners          the MQTT listeners, at least one; the first is the one the agent uses by default
 * @param dataDirectory      the broker's own working files (its session store when persistent, TLS key stores)
 * @param sessionPersistence whether MQTT sessions survive a broker restart; the spool is durable either way
 * @param auth               password authentication and per-client topic ACLs; empty: no passwords (only loopback,
 *                           mTLS or explicitly {@code insecure} listeners are then allowed)
 * @param identityLimits     how far a record's (boot, seq) may jump above its stream's mark before it is refused
 * @param maxRecordBytes     the largest payload accepted; MQTT packets above it plus room for topic and properties
 *                           are refused at the door (Maximum Packet Size in CONNACK)
 */
public record BrokerConfig(List<Listener> listeners, Path dataDirectory, SessionPersistence sessionPersistence,
                           Optional<BrokerAuth> auth, IdentityLimits identityLimits, int maxRecordBytes,
                           java.time.Duration startTimeout, Quotas quotas) {

    public BrokerConfig(List<Listener> listeners, Path dataDirectory, SessionPersistence sessionPersistence,
                        Optional<BrokerAuth> auth, IdentityLimits identityLimits, int maxRecordBytes,
                        java.time.Duration startTimeout) {
        this(listeners, dataDirectory, sessionPersistence, auth, identityLimits, maxRecordBytes, startTimeout,
                Quotas.defaults());
    }

    /**
     * What one client that is not trusted (a third-party device: its user, or its client id when anonymous) may
     * publish: a token bucket per client refilled at these rates and holding {@code burstSeconds} of them. Beyond
     * it a publish is refused with 0x97 (quota exceeded; MQTT 3.1.1 clients are disconnected) and never spooled.
     * Trusted clients (the agent, draining its outbox after an outage) are not limited.
     */
    public record Quotas(int publishesPerSecond, long bytesPerSecond, int burstSeconds) {
        public static Quotas defaults() {
            return new Quotas(ConfigSchema.key("broker.quotas.publishes-per-second").defaultInt(),
                    ConfigSchema.key("broker.quotas.bytes-per-second").defaultLong(),
                    ConfigSchema.key("broker.quotas.burst-seconds").defaultInt());
        }
    }
    /**
     * How long the MQTT broker may take to start before the service gives up: sized for the slowest board (HiveMQ
     * took 151 s on an emulated arm64 board; about 2 s on a laptop).
     */
    public static final java.time.Duration DEFAULT_START_TIMEOUT =
            ConfigSchema.key("broker.start-timeout").defaultDuration();

    /** Longest MQTT topic accepted (HiveMQ's limit), so that key and headers stay small beside the payload. */
    public static final int MAX_TOPIC_BYTES = 1024;

    /** The MQTT Maximum Packet Size: a record, its topic and identity properties, with room to spare. */
    public int maxPacketBytes() {
        return maxRecordBytes + MAX_TOPIC_BYTES + 7 * 1024;
    }


    public BrokerConfig {
        listeners = List.copyOf(listeners);
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("a broker needs at least one listener");
        }
    }

    /** Address of the first listener (the agent's by default). */
    public String host() {
        return listeners.getFirst().host();
    }

    /** Port of the first listener (the agent's by default). */
    public int port() {
        return listeners.getFirst().port();
    }

    /** Where the broker keeps MQTT sessions and queued messages for subscribers. */
    public enum SessionPersistence {
        /** Sessions live in memory (no RocksDB, no SD-card writes); lost on broker restart. */
        IN_MEMORY,
        /** Sessions are kept on disk in the data directory and survive restarts. */
        FILE
    }

    /**
     * One MQTT listener.
     *
     * @param name     a label for logs and metrics ({@code listener-<i>} unless given)
     * @param host     IP address to bind ({@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::}, ...) or {@code localhost}
     * @param port     TCP port
     * @param tls      TLS (and mTLS when it has a client CA); empty: plain TCP
     * @param insecure the operator's explicit consent to anonymous clients on a LAN address
     * @param loopback whether the address is a loopback address (only local processes can connect)
     */
    public record Listener(String name, String host, int port, Optional<ListenerTls> tls, boolean insecure,
                           boolean loopback) {
        /** Whether clients must present a certificate signed by the listener's client CA. */
        public boolean requiresClientCertificate() {
            return tls.flatMap(ListenerTls::clientCaFile).isPresent();
        }
    }

    /**
     * TLS for a listener, from PEM files.
     *
     * @param certFile     the broker's certificate chain (PEM), leaf first
     * @param keyFile      the broker's private key (PEM, PKCS#8 {@code BEGIN PRIVATE KEY}, unencrypted)
     * @param clientCaFile CA certificates (PEM) that sign client certificates; present: clients must show one
     *                     (mTLS) and are known by its subject's common name
     * @param protocols    TLS versions offered ({@code TLSv1.3}, {@code TLSv1.2})
     * @param cipherSuites cipher suites offered (JSSE names); by default TLS 1.3's and TLS 1.2's forward-secret AEAD
     *                     suites only (no CBC, no SHA-1 MACs, no static RSA key exchange)
     */
    public record ListenerTls(Path certFile, Path keyFile, Optional<Path> clientCaFile, List<String> protocols,
                              List<String> cipherSuites) {
        public static final List<String> DEFAULT_PROTOCOLS =
                ConfigSchema.key("broker.listener.tls.protocols").defaultStrings();
        public static final List<String> DEFAULT_CIPHER_SUITES =
                ConfigSchema.key("broker.listener.tls.cipher-suites").defaultStrings();

        public ListenerTls {
            protocols = List.copyOf(protocols);
            cipherSuites = List.copyOf(cipherSuites);
        }

        public ListenerTls(Path certFile, Path keyFile, Optional<Path> clientCaFile) {
            this(certFile, keyFile, clientCaFile, DEFAULT_PROTOCOLS, DEFAULT_CIPHER_SUITES);
        }
    }

    /**
     * Who may connect and what each may do.
     *
     * @param passwordFile {@code user:$7$...} lines (PBKDF2-HMAC-SHA512, as {@code mosquitto_passwd} and
     *                     {@code bin/edge passwd} write them); empty: only certificate (mTLS) clients
     * @param clients      per-user topic ACLs; a user without an entry may not connect (the agent's user has an
     *                     implicit one)
     */
    public record BrokerAuth(Optional<Path> passwordFile, List<ClientAcl> clients) {
        public BrokerAuth {
            clients = List.copyOf(clients);
        }

        public Optional<ClientAcl> aclFor(String user) {
            return clients.stream().filter(c -> c.user().equals(user)).findFirst();
        }
    }

    /**
     * What one authenticated client may do. Filters may contain {@code {user}} and {@code {device}}, replaced by the
     * client's user name and this gateway's device id.
     *
     * @param user      user name (password clients) or certificate common name (mTLS clients)
     * @param publish   topic filters it may publish to
     * @param subscribe topic filters it may subscribe to
     * @param identity  whether its record identity user properties are kept ({@code TRUSTED}, for edge agents of this
     *                  device), ignored and assigned by the broker ({@code ASSIGNED}, third-party devices), or
     *                  assigned but for the device's own sequence number ({@code DEVICE_SEQ})
     * @param clientIds the MQTT client ids it may connect with: exact ids, or a prefix ending in {@code *};
     *                  {@code {user}} and {@code {device}} replaced. A client id that another user's pattern matches
     *                  with a longer fixed part belongs to that user, so that no client can take over (and
     *                  disconnect) another user's session
     */
    public record ClientAcl(String user, List<String> publish, List<String> subscribe, IdentityTrust identity,
                            List<String> clientIds) {
        /** By default a client connects as its user name, or its user name followed by {@code -} and anything. */
        public static final List<String> DEFAULT_CLIENT_IDS =
                ConfigSchema.key("broker.auth.clients[].client-ids").defaultStrings();

        public ClientAcl {
            publish = List.copyOf(publish);
            subscribe = List.copyOf(subscribe);
            clientIds = List.copyOf(clientIds);
        }

        public ClientAcl(String user, List<String> publish, List<String> subscribe, IdentityTrust identity) {
            this(user, publish, subscribe, identity, DEFAULT_CLIENT_IDS);
        }
    }

    /** Whether a client may name its records' identity. */
    public enum IdentityTrust {
        /** Its {@code device}, {@code stream}, {@code boot}, {@code seq} are kept; {@code device} must be this one. */
        TRUSTED,
        /** Its identity properties are ignored; the broker assigns the identity. */
        ASSIGNED,
        /**
         * A third-party device that counts its own publishes: {@code device} ({@code <gateway>/<user>}) and
         * {@code stream} (the topic) are assigned as for {@code ASSIGNED}, but {@code seq} is the device's own (the
         * user property {@code seq}, or for MQTT 3.1.1 the payload's top-level JSON member {@code "seq"}), and
         * {@code boot} too when it sends one (else 0). A publish lost between the device and the gateway is then a
         * hole in {@code seq}, seen in Kafka like the agent's; a resent one is dropped as a duplicate.
         */
        DEVICE_SEQ;

        /** Its name in the device configuration ({@code broker.auth.clients[].identity}). */
        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * Bounds on a record's identity relative to its stream's high-water mark; a record beyond them is refused
     * (it would make every later genuine record look like a duplicate).
     *
     * @param maxBootJump most a record's boot may exceed the stream's
     * @param maxSeqJump  most a record's seq may exceed the stream's
     */
    public record IdentityLimits(long maxBootJump, long maxSeqJump) {
        public static IdentityLimits defaults() {
            return new IdentityLimits(ConfigSchema.key("broker.identity-limits.max-boot-jump").defaultLong(),
                    ConfigSchema.key("broker.identity-limits.max-seq-jump").defaultLong());
        }
    }
}
