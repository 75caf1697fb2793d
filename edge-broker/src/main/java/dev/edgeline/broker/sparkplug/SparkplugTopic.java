package dev.edgeline.broker.sparkplug;

import java.util.Optional;

/**
 * A Sparkplug B topic: {@code spBv1.0/<group>/<type>/<edge node>[/<device>]}. {@code STATE} topics (host
 * applications' own) and anything else under {@code spBv1.0/} that does not follow the namespace are not Sparkplug
 * messages of an edge node and are carried as ordinary payloads.
 *
 * @param device empty for the edge node's own messages (NBIRTH, NDATA, NDEATH, NCMD)
 */
public record SparkplugTopic(String group, MessageType type, String edgeNode, Optional<String> device) {
    /** The namespace prefix. */
    public static final String PREFIX = "spBv1.0/";

    /** The message types of an edge node and its devices. */
    public enum MessageType {
        NBIRTH, NDEATH, DBIRTH, DDEATH, NDATA, DDATA, NCMD, DCMD;

        boolean deviceLevel() {
            return this == DBIRTH || this == DDEATH || this == DDATA || this == DCMD;
        }
    }

    /** The topic as Sparkplug, or empty when it is not an edge node's Sparkplug message. */
    public static Optional<SparkplugTopic> parse(String topic) {
        if (!topic.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] levels = topic.substring(PREFIX.length()).split("/", -1);
        if (levels.length < 3 || levels.length > 4) {
            return Optional.empty();
        }
        for (String level : levels) {
            if (level.isEmpty()) {
                return Optional.empty();
            }
        }
        MessageType type;
        try {
            type = MessageType.valueOf(levels[1]);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (type.deviceLevel() != (levels.length == 4)) {
            return Optional.empty();
        }
        return Optional.of(new SparkplugTopic(levels[0], type, levels[2],
                levels.length == 4 ? Optional.of(levels[3]) : Optional.empty()));
    }

    /** {@code group/edge node}: what one Sparkplug session (bdSeq, seq, aliases) belongs to. */
    public String nodeKey() {
        return group + "/" + edgeNode;
    }

    /** The topic of a command to this edge node. */
    public static String nodeCommandTopic(String group, String edgeNode) {
        return PREFIX + group + "/NCMD/" + edgeNode;
    }
}
