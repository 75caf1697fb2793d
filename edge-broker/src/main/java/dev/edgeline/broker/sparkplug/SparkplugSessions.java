package dev.edgeline.broker.sparkplug;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.tahu.message.model.MetricDataType;
import org.eclipse.tahu.model.MetricDataTypeMap;

/**
 * What the broker knows of each Sparkplug edge node's session: its birth's {@code bdSeq}, the last {@code seq} it
 * sent (0-255, wrapping), whether it is born, and the alias tables of its birth and its devices' births (kept on
 * disk by {@link AliasFile}). Not thread-safe: {@link SparkplugIngest} holds its lock.
 */
final class SparkplugSessions {
    /** One edge node. */
    static final class Node {
        Long bdSeq;
        int lastSeq = -1;
        boolean born;
        final Map<String, Aliases> aliasesByDevice = new HashMap<>();

        /** The aliases of {@code device} ("" for the node's own metrics). */
        Aliases aliases(String device) {
            return aliasesByDevice.computeIfAbsent(device, d -> new Aliases());
        }
    }

    /** A birth's alias table: alias to name and data type. */
    static final class Aliases {
        final Map<Long, String> names = new HashMap<>();
        final Map<Long, Integer> typeCodes = new HashMap<>();
        final MetricDataTypeMap types = new MetricDataTypeMap();

        void put(long alias, String name, int typeCode) {
            names.put(alias, name);
            typeCodes.put(alias, typeCode);
            MetricDataType type = MetricDataType.fromInteger(typeCode);
            types.addMetricDataType(alias, type);
            types.addMetricDataType(name, type);
        }
    }

    private final AliasFile file;
    private final Map<String, Node> nodes;

    SparkplugSessions(Path directory) throws IOException {
        this.file = new AliasFile(directory);
        this.nodes = file.load();
    }

    Node node(String key) {
        return nodes.computeIfAbsent(key, k -> new Node());
    }

    /** A new session for {@code key} (an NBIRTH): its devices' aliases go with the old one. */
    Node reborn(String key) {
        Node node = new Node();
        nodes.put(key, node);
        return node;
    }

    /** Writes the alias tables (after a birth). */
    void save() throws IOException {
        file.save(nodes);
    }
}
