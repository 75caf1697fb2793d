package dev.edgeline.bridge.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeline.config.CommandsConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's desired state as its compacted topic holds it: the last JSON object per key ({@code sensor/<name>} or
 * {@code output/<name>}), a tombstone (null value) removing its key. The command bridge reads the topic from its
 * beginning at every start and hands the whole document to the agent as one command of target {@code agent},
 * {@code {"action":"desired","desired":{...}}}, whose id names the topic offset it is complete up to
 * ({@code desired-<offset>}): a restart with nothing new offers the same id again, which the queue knows already. A
 * record whose key or value is malformed is left out, named in the log. On a group's topic
 * ({@code kafka.commands.group}) the device takes only the keys that start with {@code <device>/}, without that start,
 * and its neighbours' records change nothing (not even the id). Used by the command bridge's thread only.
 */
final class DesiredState {
    private static final Logger LOG = LoggerFactory.getLogger(DesiredState.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Every desired-state command's id starts with this, then the offset the document is complete up to. */
    static final String ID_PREFIX = "desired-";

    private final String logPrefix;
    private final CommandsConfig commands;
    private final String device;
    private final Map<String, JsonNode> entries = new TreeMap<>();
    private long lastOffset = -1;
    private long offeredUpTo = -1;
    private ObjectNode offeredDocument = JSON.createObjectNode();

    DesiredState(String logPrefix, CommandsConfig commands, String device) {
        this.logPrefix = logPrefix;
        this.commands = commands;
        this.device = device;
    }

    /** Takes in one record of the desired-state topic. */
    void apply(ConsumerRecord<byte[], byte[]> record) {
        String fullKey = record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
        String key = commands.ownDesiredKey(device, fullKey);
        if (key == null) {
            return; // a neighbour's, on the group's topic
        }
        lastOffset = record.offset();
        if (!CommandsConfig.isDesiredStateKey(key)) {
            LOG.warn("{}desired-state record at offset {}: key '{}' is not {}sensor/<name> or {}output/<name>; "
                    + "left out", logPrefix, record.offset(), fullKey, commands.desiredKeyPrefixOf(device),
                    commands.desiredKeyPrefixOf(device));
            return;
        }
        if (record.value() == null) {
            entries.remove(key);
            return;
        }
        try {
            JsonNode value = JSON.readTree(record.value());
            if (value == null || !value.isObject()) {
                throw new IOException("not a JSON object");
            }
            entries.put(key, value);
        } catch (IOException e) {
            LOG.warn("{}desired-state record at offset {} (key {}): the value is not a JSON object; left out",
                    logPrefix, record.offset(), key);
        }
    }

    /** Whether records came in since the document was last offered. */
    boolean changed() {
        return lastOffset > offeredUpTo;
    }

    /** The id of the command carrying the document as it is now. */
    String commandId() {
        return ID_PREFIX + lastOffset;
    }

    /** The id of the document last handed to the agent, or null before the topic was read up to its end once. */
    String offeredId() {
        return offeredUpTo < 0 ? null : ID_PREFIX + offeredUpTo;
    }

    /** The document last handed to the agent (key to value); empty before the first offer. */
    ObjectNode offeredDocument() {
        return offeredDocument.deepCopy();
    }

    /** The command's payload, marking the document offered. */
    byte[] offer() {
        offeredUpTo = lastOffset;
        ObjectNode command = JSON.createObjectNode();
        command.put("action", "desired");
        ObjectNode desired = command.putObject("desired");
        entries.forEach(desired::set);
        offeredDocument = desired.deepCopy();
        try {
            return JSON.writeValueAsBytes(command);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }
}
