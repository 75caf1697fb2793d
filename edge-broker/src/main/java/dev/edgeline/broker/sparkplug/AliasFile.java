package dev.edgeline.broker.sparkplug;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeline.broker.spool.internal.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The Sparkplug births' alias tables on disk ({@code sparkplug-aliases.json} in the broker's data directory), so
 * that a data message that names its metrics only by alias is still resolved after a broker restart, before the
 * edge node's next birth. Written whole, atomically and synced, at every birth (births are rare); read at start.
 * <pre>
 * {"plant-1/line-3": {"bd_seq": 4, "devices": {"": {"1": "Node Control/Rebirth"}, "press-2": {"7": "Temp"}}}}
 * </pre>
 * Each alias maps to its metric's name and data type ({@code "7": {"name": "Temp", "type": 10}}).
 */
final class AliasFile {
    static final String NAME = "sparkplug-aliases.json";
    private final Path file;

    /** Jackson only when there is something to read or write: the broker's start does not pay for it. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    AliasFile(Path directory) {
        this.file = directory.resolve(NAME);
    }

    /** What the file holds: per node key, its bdSeq and per device ("" for the node) alias to metric. */
    Map<String, SparkplugSessions.Node> load() throws IOException {
        Map<String, SparkplugSessions.Node> nodes = new HashMap<>();
        if (!Files.exists(file)) {
            return nodes;
        }
        JsonNode root = Json.MAPPER.readTree(Files.readAllBytes(file));
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            SparkplugSessions.Node node = new SparkplugSessions.Node();
            JsonNode bdSeq = entry.getValue().get("bd_seq");
            node.bdSeq = bdSeq == null || bdSeq.isNull() ? null : bdSeq.asLong();
            for (Iterator<Map.Entry<String, JsonNode>> devices = entry.getValue().path("devices").fields();
                 devices.hasNext(); ) {
                Map.Entry<String, JsonNode> device = devices.next();
                SparkplugSessions.Aliases aliases = node.aliases(device.getKey());
                for (Iterator<Map.Entry<String, JsonNode>> metrics = device.getValue().fields(); metrics.hasNext(); ) {
                    Map.Entry<String, JsonNode> metric = metrics.next();
                    aliases.put(Long.parseLong(metric.getKey()), metric.getValue().path("name").asText(),
                            metric.getValue().path("type").asInt());
                }
            }
            nodes.put(entry.getKey(), node);
        }
        return nodes;
    }

    void save(Map<String, SparkplugSessions.Node> nodes) throws IOException {
        ObjectNode root = Json.MAPPER.createObjectNode();
        nodes.forEach((key, node) -> {
            ObjectNode out = root.putObject(key);
            if (node.bdSeq != null) {
                out.put("bd_seq", node.bdSeq);
            }
            ObjectNode devices = out.putObject("devices");
            node.aliasesByDevice.forEach((device, aliases) -> {
                ObjectNode metrics = devices.putObject(device);
                aliases.names.forEach((alias, name) -> metrics.putObject(Long.toString(alias)).put("name", name)
                        .put("type", aliases.typeCodes.get(alias)));
            });
        });
        AtomicFiles.write(file, Json.MAPPER.writeValueAsBytes(root));
    }
}
