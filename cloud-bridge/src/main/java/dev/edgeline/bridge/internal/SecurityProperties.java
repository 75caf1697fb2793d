package dev.edgeline.bridge.internal;

import dev.edgeline.config.KafkaSecurity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * Kafka client properties for TLS, mTLS and SASL/SCRAM from the device's security settings. Certificates and keys
 * are PEM files; the SASL password is read from its file here, once, and handed to Kafka as a password-typed
 * property (which Kafka never logs). Nothing here logs a secret.
 */
public final class SecurityProperties {
    private SecurityProperties() {}

    public static Map<String, Object> of(KafkaSecurity security) throws IOException {
        Map<String, Object> p = new HashMap<>();
        p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, security.protocol().name());
        if (security.protocol() == KafkaSecurity.Protocol.PLAINTEXT) {
            return p;
        }
        if (security.caFile().isPresent()) {
            p.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            p.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, read(security.caFile().get(), "CA certificates"));
        }
        if (security.clientCertFile().isPresent() && security.clientKeyFile().isPresent()) {
            p.put(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG, "PEM");
            p.put(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG,
                    read(security.clientCertFile().get(), "client certificate"));
            p.put(SslConfigs.SSL_KEYSTORE_KEY_CONFIG, read(security.clientKeyFile().get(), "client key"));
        }
        if (security.protocol() == KafkaSecurity.Protocol.SASL_SSL) {
            String password = read(security.passwordFile().orElseThrow(), "SASL password").strip();
            p.put(SaslConfigs.SASL_MECHANISM, security.saslMechanism());
            p.put(SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.scram.ScramLoginModule required "
                    + "username=\"" + escape(security.username()) + "\" password=\"" + escape(password) + "\";");
        }
        return p;
    }

    private static String read(Path file, String what) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("kafka.security: the " + what + " file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new IOException("kafka.security: cannot read the " + what + " file " + file + ": " + e.getMessage(), e);
        }
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
