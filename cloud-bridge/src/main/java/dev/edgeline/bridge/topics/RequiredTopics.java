package dev.edgeline.bridge.topics;

import dev.edgeline.config.BridgeConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.AuthorizationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's check before it first writes: do the data and gap topics exist? Without it, a missing topic on a
 * cluster that does not create topics shows only as the producer's "not present in metadata" timeout per batch. A
 * missing topic on a cluster that creates topics is left to it (the broker's defaults then apply: the log says so);
 * where the device may not read the cluster's configuration, or not describe the topics, the check is skipped with a
 * warning.
 */
public final class RequiredTopics {
    private static final Logger LOG = LoggerFactory.getLogger(RequiredTopics.class);

    private RequiredTopics() {}

    /**
     * Returns when the bridge may write; throws {@link MissingTopicsException} when topics are missing and the
     * cluster will not create them.
     */
    public static void confirm(BridgeConfig config, Map<String, Object> security, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<String> topics = TopicPlan.of(config, 1, null).recordTopics();
        try (Admin admin = Admin.create(AdminProperties.of(config.bootstrapServers(), security, timeout))) {
            TopicCheck check = new TopicCheck(admin, timeout);
            List<String> missing;
            try {
                missing = check.missing(topics);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof AuthorizationException) {
                    LOG.warn("cannot check that the topics {} exist (not authorized to describe them: {})", topics,
                            e.getCause().getMessage());
                    return;
                }
                throw e;
            }
            if (missing.isEmpty()) {
                return;
            }
            Optional<Boolean> autoCreates = check.autoCreatesTopics();
            if (autoCreates.isEmpty()) {
                LOG.warn("Kafka has no topic(s) {} yet and whether it creates topics by itself cannot be read; if it"
                        + " does not, create them with `edge kafka topics --config <device.yaml> --create`", missing);
                return;
            }
            if (autoCreates.get()) {
                LOG.info("Kafka has no topic(s) {} yet; it creates them on first use with its default partitions and"
                        + " settings (`edge kafka topics --config <device.yaml>` checks them)", missing);
                return;
            }
            throw new MissingTopicsException(config.bootstrapServers(), missing);
        }
    }
}
