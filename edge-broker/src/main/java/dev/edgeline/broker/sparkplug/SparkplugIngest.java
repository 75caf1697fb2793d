package dev.edgeline.broker.sparkplug;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.tahu.message.SparkplugBPayloadDecoder;
import org.eclipse.tahu.message.model.Metric;
import org.eclipse.tahu.message.model.SparkplugBPayload;
import org.eclipse.tahu.model.MetricDataTypeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one Sparkplug B message of an edge node (Eclipse Tahu's protobuf payload) into spool records, as a Sparkplug
 * host application would read it:
 * <ul>
 *   <li>every metric becomes one record: {@code device} = {@code <gateway>/<group>/<edge node>[/<device>]},
 *       {@code stream} = the metric's name (resolved from the birth when the message gives only its alias; an alias
 *       no birth named is kept as {@code alias/<n>}), {@code seq} assigned per stream, the payload
 *       {@link MetricJson};</li>
 *   <li>births and deaths also become state records on the stream {@code $state} ({@code online}/{@code offline},
 *       the message, bdSeq); an NDEATH whose bdSeq is not the current birth's is an old session's and changes
 *       nothing ({@code "stale":true});</li>
 *   <li>the edge node's {@code seq} (0-255, wrapping, over all its messages but NDEATH) is checked: a message missing
 *       before this one becomes a gap marker ({@code reason: sparkplug-seq}, on the gap topic) and a rebirth is
 *       requested;</li>
 *   <li>a data or device message of a node that is not born (it connected before the broker, or its birth was lost)
 *       asks for a rebirth (an NCMD {@code Node Control/Rebirth}), as the specification says; its metrics are kept
 *       with what the stored aliases resolve.</li>
 * </ul>
 * Births' alias tables are kept on disk ({@link AliasFile}). Thread-safe (one lock; Sparkplug messages are few).
 */
public final class SparkplugIngest {
    private static final Logger LOG = LoggerFactory.getLogger(SparkplugIngest.class);
    /** The stream of a node's or device's state records. */
    public static final String STATE_STREAM = "$state";
    /** The stream of a node's Sparkplug gap markers. */
    public static final String GAP_STREAM = "$gap/sparkplug";

    private final String gatewayDevice;
    private final SparkplugSessions sessions;
    private SparkplugBPayloadDecoder decoder; // made at the first Sparkplug message: most gateways never see one

    /** What a message became. */
    public sealed interface Outcome {
        /** The records to append, in order; {@code rebirth}: ask the edge node for a new birth. */
        record Accepted(List<SpoolRecord> records, boolean rebirth, String problem) implements Outcome {}

        /** Not a Sparkplug B payload (reason code 0x99). */
        record Refused(String reason) implements Outcome {}
    }

    /** @param directory where the births' alias tables are kept */
    public SparkplugIngest(String gatewayDevice, Path directory) throws IOException {
        this.gatewayDevice = gatewayDevice;
        this.sessions = new SparkplugSessions(directory);
    }

    public synchronized Outcome ingest(SparkplugTopic topic, byte[] bytes, long boot, boolean clockSynced,
                                       long receivedAtMillis) {
        SparkplugTopic.MessageType type = topic.type();
        String deviceName = topic.device().orElse("");
        SparkplugSessions.Node node = type == SparkplugTopic.MessageType.NBIRTH ? null : sessions.node(topic.nodeKey());
        SparkplugBPayload payload;
        try {
            MetricDataTypeMap types = node == null || type == SparkplugTopic.MessageType.DBIRTH
                    ? new MetricDataTypeMap() : node.aliases(deviceName).types;
            if (decoder == null) {
                decoder = new SparkplugBPayloadDecoder();
            }
            payload = decoder.buildFromByteArray(bytes, types);
        } catch (Exception e) {
            return new Outcome.Refused("not a Sparkplug B payload on " + SparkplugTopic.PREFIX + topic.group() + "/"
                    + type + "/...: " + e);
        }
        long seq = payload.getSeq() == null ? -1 : payload.getSeq();
        String device = gatewayDevice + "/" + topic.nodeKey() + (deviceName.isEmpty() ? "" : "/" + deviceName);
        String mqttTopic = mqttTopic(topic);
        Records records = new Records(device, boot, mqttTopic, clockSynced, receivedAtMillis);
        boolean rebirth = false;
        String problem = null;
        switch (type) {
            case NBIRTH -> {
                node = sessions.reborn(topic.nodeKey());
                node.born = true;
                node.bdSeq = bdSeq(payload);
                node.lastSeq = (int) seq;
                learnAliases(node.aliases(""), payload);
                save();
                records.state("online", type, node.bdSeq, seq, false);
            }
            case DBIRTH -> {
                node.aliasesByDevice.put(deviceName, new SparkplugSessions.Aliases());
                learnAliases(node.aliases(deviceName), payload);
                save();
                records.state("online", type, node.bdSeq, seq, false);
            }
            case NDEATH -> {
                Long bdSeq = bdSeq(payload);
                boolean stale = node.bdSeq != null && bdSeq != null && !bdSeq.equals(node.bdSeq);
                if (!stale) {
                    node.born = false;
                    node.lastSeq = -1;
                }
                records.state("offline", type, bdSeq, -1, stale);
            }
            case DDEATH -> records.state("offline", type, node.bdSeq, seq, false);
            default -> { }
        }
        if (type != SparkplugTopic.MessageType.NBIRTH && type != SparkplugTopic.MessageType.NDEATH) {
            if (!node.born) {
                rebirth = true;
                problem = type + " from edge node " + topic.nodeKey() + ", which is not born (no NBIRTH since"
                        + " the broker started or since its death): rebirth requested";
            } else if (seq < 0 || seq > 255) {
                problem = type + " from edge node " + topic.nodeKey() + " without a seq 0..255";
            } else {
                int expected = (node.lastSeq + 1) % 256;
                if (seq != expected && seq != node.lastSeq) {
                    int lost = (int) ((seq - expected + 256) % 256);
                    records.gap(topic, node.bdSeq, expected, seq, lost);
                    rebirth = true;
                    problem = "edge node " + topic.nodeKey() + " sent seq " + seq + " after " + node.lastSeq + ": "
                            + lost + " message(s) lost before the gateway (gap marker written, rebirth requested)";
                }
                node.lastSeq = (int) seq;
            }
        }
        if (type != SparkplugTopic.MessageType.NDEATH) {
            SparkplugSessions.Aliases aliases = node.aliases(deviceName);
            for (Metric metric : payload.getMetrics()) {
                String name = metric.hasName() ? metric.getName()
                        : metric.hasAlias() && aliases.names.containsKey(metric.getAlias())
                        ? aliases.names.get(metric.getAlias()) : "alias/" + metric.getAlias();
                records.data(name, MetricJson.of(metric, type.name(), seq, node.bdSeq, payload.getTimestamp()));
            }
        }
        return new Outcome.Accepted(records.list, rebirth, problem);
    }

    private static String mqttTopic(SparkplugTopic topic) {
        return SparkplugTopic.PREFIX + topic.group() + "/" + topic.type() + "/" + topic.edgeNode()
                + topic.device().map(d -> "/" + d).orElse("");
    }

    private static void learnAliases(SparkplugSessions.Aliases aliases, SparkplugBPayload birth) {
        for (Metric metric : birth.getMetrics()) {
            if (metric.hasName() && metric.hasAlias() && metric.getDataType() != null) {
                aliases.put(metric.getAlias(), metric.getName(), metric.getDataType().toIntValue());
            }
        }
    }

    private static Long bdSeq(SparkplugBPayload payload) {
        for (Metric metric : payload.getMetrics()) {
            if ("bdSeq".equals(metric.getName()) && metric.getValue() instanceof Number number) {
                return number.longValue();
            }
        }
        return null;
    }

    private void save() {
        try {
            sessions.save();
        } catch (IOException e) {
            LOG.warn("cannot write the Sparkplug alias tables ({}): until the next birth after a broker restart,"
                    + " metrics sent by alias only are kept as alias/<n>", e.toString());
        }
    }

    /** The records of one message, in order. */
    private static final class Records {
        private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
        final List<SpoolRecord> list = new ArrayList<>();
        private final String device;
        private final long boot;
        private final String mqttTopic;
        private final boolean clockSynced;
        private final long receivedAtMillis;

        Records(String device, long boot, String mqttTopic, boolean clockSynced, long receivedAtMillis) {
            this.device = device;
            this.boot = boot;
            this.mqttTopic = mqttTopic;
            this.clockSynced = clockSynced;
            this.receivedAtMillis = receivedAtMillis;
        }

        void data(String stream, byte[] payload) {
            list.add(new SpoolRecord(device, stream, boot, SpoolRecord.ASSIGN_SEQ, mqttTopic, clockSynced,
                    receivedAtMillis, payload));
        }

        void state(String state, SparkplugTopic.MessageType message, Long bdSeq, long seq, boolean stale) {
            ObjectNode json = NODES.objectNode().put("state", state).put("message", message.name());
            if (bdSeq != null) {
                json.put("bd_seq", bdSeq);
            }
            if (seq >= 0) {
                json.put("seq", seq);
            }
            if (stale) {
                json.put("stale", true);
            }
            data(STATE_STREAM, MetricJson.bytes(json));
        }

        void gap(SparkplugTopic topic, Long bdSeq, int expected, long received, int lost) {
            ObjectNode json = NODES.objectNode().put("gap", true).put("reason", "sparkplug-seq");
            json.putNull("records");
            ObjectNode sparkplug = json.putObject("sparkplug").put("group", topic.group())
                    .put("edge_node", topic.edgeNode()).put("expected_seq", expected).put("received_seq", received)
                    .put("lost_messages", lost);
            topic.device().ifPresent(d -> sparkplug.put("device", d));
            if (bdSeq != null) {
                sparkplug.put("bd_seq", bdSeq);
            }
            String nodeDevice = device.substring(0, device.length() - topic.device().map(d -> d.length() + 1)
                    .orElse(0));
            list.add(new SpoolRecord(nodeDevice, GAP_STREAM, 0, receivedAtMillis, mqttTopic, false,
                    receivedAtMillis, MetricJson.bytes(json), RecordKind.GAP));
        }
    }
}
