package dev.edgeline.bridge.topics;

import java.util.List;
import org.apache.kafka.common.KafkaException;

/** The cluster lacks topics the bridge writes to and does not create topics by itself. */
public final class MissingTopicsException extends KafkaException {
    private static final long serialVersionUID = 1L;
    private final List<String> topics;

    public MissingTopicsException(String bootstrapServers, List<String> topics) {
        super("Kafka at " + bootstrapServers + " has no topic(s) " + String.join(", ", topics)
                + " and does not create topics by itself (auto.create.topics.enable=false): create them with"
                + " `edge kafka topics --config <device.yaml> --create` (or as the operator's guide says); the records"
                + " wait in the spool meanwhile");
        this.topics = List.copyOf(topics);
    }

    public List<String> topics() {
        return topics;
    }
}
