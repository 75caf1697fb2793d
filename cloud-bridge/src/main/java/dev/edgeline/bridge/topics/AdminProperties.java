package dev.edgeline.bridge.topics;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;

/** The properties of the bridge's short-lived Kafka admin clients: its cluster, its security, one deadline. */
public final class AdminProperties {
    private AdminProperties() {}

    /** Calls time out after {@code timeout}; a single request after at most 15 s of it. */
    public static Properties of(String bootstrapServers, Map<String, Object> security, Duration timeout) {
        Properties p = new Properties();
        p.putAll(security);
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 15_000));
        return p;
    }
}
