package dev.edgeline.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How the bridge authenticates to the Kafka cluster and protects the link. Secrets are never in the YAML: only
 * paths of files that hold them (read at start, never logged).
 *
 * @param protocol       {@code PLAINTEXT}, {@code SSL} (TLS, optionally mTLS) or {@code SASL_SSL} (TLS + SASL)
 * @param caFile         PEM file of the CA certificates to trust for the brokers (TLS); empty: the JVM's defaults
 * @param clientCertFile PEM certificate chain of this device (mTLS)
 * @param clientKeyFile  PEM PKCS#8 private key of this device, unencrypted (mTLS)
 * @param saslMechanism  {@code SCRAM-SHA-512} or {@code SCRAM-SHA-256} (SASL_SSL)
 * @param username       SASL user name
 * @param passwordFile   file holding the SASL password (trailing newline ignored)
 */
public record KafkaSecurity(Protocol protocol, Optional<Path> caFile, Optional<Path> clientCertFile,
                            Optional<Path> clientKeyFile, String saslMechanism, String username,
                            Optional<Path> passwordFile) {

    /** The link to the cluster. */
    public enum Protocol { PLAINTEXT, SSL, SASL_SSL }

    public static KafkaSecurity plaintext() {
        return new KafkaSecurity(Protocol.PLAINTEXT, Optional.empty(), Optional.empty(), Optional.empty(), "", "",
                Optional.empty());
    }
}
