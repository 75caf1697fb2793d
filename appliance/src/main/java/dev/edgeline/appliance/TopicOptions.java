package dev.edgeline.appliance;

import java.util.Arrays;
import java.util.List;

/** The {@code --bootstrap host:port} and {@code --topic T[,T2]} options of the analyst commands (verify, tail). */
record TopicOptions(String bootstrap, List<String> topics) {

    static TopicOptions of(Arguments parsed) throws Arguments.UsageException {
        String bootstrap = parsed.option("bootstrap").orElseThrow(() -> new Arguments.UsageException(
                "--bootstrap host:port is required"));
        List<String> topics = Arrays.stream(parsed.option("topic").orElseThrow(() -> new Arguments.UsageException(
                "--topic is required")).split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
        return new TopicOptions(bootstrap, topics);
    }

    String topicList() {
        return String.join(",", topics);
    }
}
