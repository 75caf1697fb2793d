package dev.edgeline.appliance;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.tahu.message.SparkplugBPayloadDecoder;
import org.eclipse.tahu.message.SparkplugBPayloadEncoder;
import org.eclipse.tahu.message.model.Metric;
import org.eclipse.tahu.message.model.MetricDataType;
import org.eclipse.tahu.message.model.SparkplugBPayload;

/**
 * A Sparkplug B edge node as a plant would have one: Eclipse Tahu's payloads over a real Paho MQTT 5 client. It
 * registers its NDEATH (with its bdSeq) as the will, publishes NBIRTH and one device's DBIRTH with aliases, then
 * data naming metrics by alias only, with a seq that wraps at 256; it answers an NCMD {@code Node Control/Rebirth}
 * with a new NBIRTH and DBIRTH (seq from 0, the same bdSeq), as the specification says. Metrics: {@code Temp}
 * (alias 1, Double) of the node, {@code Pressure} (alias 10, Int32) of its device {@code press-2}.
 */
final class TahuEdgeNode implements AutoCloseable {
    private final String group;
    private final String node;
    private final long bdSeq;
    private final MqttClient client;
    private final AtomicInteger seq = new AtomicInteger();
    private final AtomicInteger rebirthRequests = new AtomicInteger();
    private final AtomicInteger births = new AtomicInteger();

    TahuEdgeNode(int port, String group, String node, long bdSeq) throws Exception {
        this.group = group;
        this.node = node;
        this.bdSeq = bdSeq;
        this.client = new MqttClient("tcp://127.0.0.1:" + port, node + "-" + bdSeq, new MemoryPersistence());
    }

    /** Connects with its NDEATH as the will and listens to its NCMD topic; births only when {@code birth}. */
    TahuEdgeNode connect(boolean birth) throws Exception {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setWill(topic("NDEATH", null), new MqttMessage(encode(new SparkplugBPayload(new Date(),
                List.of(metric("bdSeq", null, MetricDataType.Int64, bdSeq)), null)), 1, false, null));
        client.connect(options);
        // The array form: Paho 1.2.5's subscribe(String, int, listener) calls itself until the stack overflows.
        client.subscribe(new MqttSubscription[] {new MqttSubscription("spBv1.0/" + group + "/NCMD/" + node, 0)},
                new IMqttMessageListener[] {(t, message) -> {
            SparkplugBPayload command = new SparkplugBPayloadDecoder().buildFromByteArray(message.getPayload(), null);
            for (Metric metric : command.getMetrics()) {
                if ("Node Control/Rebirth".equals(metric.getName()) && Boolean.TRUE.equals(metric.getValue())) {
                    rebirthRequests.incrementAndGet();
                    Thread.ofVirtual().start(this::birthQuietly); // not on Paho's callback thread
                }
            }
        }});
        if (birth) {
            birth();
        }
        return this;
    }

    private void birthQuietly() {
        try {
            birth();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized void birth() throws Exception {
        seq.set(0);
        publish("NBIRTH", null, List.of(metric("bdSeq", null, MetricDataType.Int64, bdSeq),
                metric("Temp", 1L, MetricDataType.Double, 20.0),
                metric("Node Control/Rebirth", 2L, MetricDataType.Boolean, false)));
        publish("DBIRTH", "press-2", List.of(metric("Pressure", 10L, MetricDataType.Int32, 0)));
        births.incrementAndGet();
    }

    /** Births published (acknowledged) so far. */
    int births() {
        return births.get();
    }

    /** An NDATA with Temp by alias. */
    synchronized void temperature(double value) throws Exception {
        publish("NDATA", null, List.of(aliased(1, MetricDataType.Double, value)));
    }

    /** A DDATA of press-2 with Pressure by alias. */
    synchronized void pressure(int value) throws Exception {
        publish("DDATA", "press-2", List.of(aliased(10, MetricDataType.Int32, value)));
    }

    /** A message that never reaches the broker: its seq is used up, as when the network dropped it. */
    synchronized void loseOneMessage() {
        seq.incrementAndGet();
    }

    /** Its own NDEATH, then a clean disconnect (a node shutting down). */
    void shutDown() throws Exception {
        client.publish(topic("NDEATH", null), new MqttMessage(encode(new SparkplugBPayload(new Date(),
                List.of(metric("bdSeq", null, MetricDataType.Int64, bdSeq)), null)), 1, false, null));
        client.disconnect();
    }

    int rebirthRequests() {
        return rebirthRequests.get();
    }

    private void publish(String type, String device, List<Metric> metrics) throws Exception {
        long messageSeq = seq.getAndUpdate(s -> (s + 1) % 256);
        MqttMessage message = new MqttMessage(encode(new SparkplugBPayload(new Date(), new ArrayList<>(metrics),
                messageSeq)), 1, false, null);
        client.publish(topic(type, device), message); // the synchronous client returns once the PUBACK is in
    }

    private String topic(String type, String device) {
        return "spBv1.0/" + group + "/" + type + "/" + node + (device == null ? "" : "/" + device);
    }

    private static Metric metric(String name, Long alias, MetricDataType type, Object value) throws Exception {
        Metric.MetricBuilder builder = new Metric.MetricBuilder(name, type, value);
        if (alias != null) {
            builder.alias(alias);
        }
        return builder.createMetric();
    }

    private static Metric aliased(long alias, MetricDataType type, Object value) throws Exception {
        return new Metric.MetricBuilder(alias, type, value).createMetric();
    }

    private static byte[] encode(SparkplugBPayload payload) throws Exception {
        return new SparkplugBPayloadEncoder().getBytes(payload, false);
    }

    @Override
    public void close() throws Exception {
        if (client.isConnected()) {
            client.disconnectForcibly(0, 1000, false);
        }
        client.close(true);
    }

    @Override
    public String toString() {
        return new String((group + "/" + node).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
