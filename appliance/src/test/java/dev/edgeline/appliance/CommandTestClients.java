package dev.edgeline.appliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** The command tests' own clients: a Paho MQTT 5 responder on the device's broker and a reader of results. */
final class CommandTestClients {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CommandTestClients() {}

    /**
     * Connects a responder subscribed to {@code filter} (e.g. {@code edge/<device>/commands/relay}) that tells
     * {@code received} (target, payload) of each command and answers on its response topic with the same correlation
     * data: {@code {"done":"<payload>"}}, or a rejection ({@code status: rejected}, {@code reason: relay stuck}) when
     * the payload is {@code reject}. The answer is published from another thread (Paho's synchronous client cannot
     * publish from its callback).
     */
    static MqttClient responder(int port, String clientId, String filter, BiConsumer<String, String> received)
            throws Exception {
        return responder(port, clientId, null, null, filter, received);
    }

    /** As {@link #responder(int, String, String, BiConsumer)}, logged in as {@code user} (null: anonymous). */
    static MqttClient responder(int port, String clientId, String user, String password, String filter,
                                BiConsumer<String, String> received) throws Exception {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setConnectionTimeout(5);
        if (user != null) {
            options.setUserName(user);
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        client.connect(options);
        // (the one-filter subscribe with a listener recurses into itself in Paho 1.2.5: the array form works)
        client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)},
                new IMqttMessageListener[] {(topic, message) -> {
                    String payload = new String(message.getPayload(), StandardCharsets.UTF_8);
                    received.accept(topic.substring(topic.lastIndexOf('/') + 1), payload);
                    MqttProperties request = message.getProperties();
                    MqttProperties reply = new MqttProperties();
                    reply.setCorrelationData(request.getCorrelationData());
                    boolean reject = payload.equals("reject");
                    MqttMessage answer = new MqttMessage(reject ? new byte[0]
                            : ("{\"done\":\"" + payload + "\"}").getBytes(StandardCharsets.UTF_8));
                    if (reject) {
                        reply.setUserProperties(List.of(new UserProperty("status", "rejected"),
                                new UserProperty("reason", "relay stuck")));
                    }
                    answer.setProperties(reply);
                    answer.setQos(1);
                    String responseTopic = request.getResponseTopic();
                    new Thread(() -> {
                        try {
                            client.publish(responseTopic, answer);
                        } catch (Exception e) {
                            // the broker went away: the command is delivered again after its restart
                        }
                    }).start();
                }});
        return client;
    }

    /**
     * Produces commands to {@code topic}, keyed by {@code device}: {id, target, payload, expires_at or null, response
     * or null} each (a null id or target leaves that header out).
     */
    static void send(String bootstrap, String topic, String device, List<String[]> commands) throws Exception {
        Properties p = new Properties();
        p.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(org.apache.kafka.clients.producer.ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArraySerializer.class);
        p.put(org.apache.kafka.clients.producer.ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                org.apache.kafka.common.serialization.ByteArraySerializer.class);
        String[] headers = {"command_id", "target", null, "expires_at", "response"};
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]>(p)) {
            for (String[] c : commands) {
                var record = new org.apache.kafka.clients.producer.ProducerRecord<>(topic, bytes(device), bytes(c[2]));
                for (int i = 0; i < headers.length; i++) {
                    if (headers[i] != null && c[i] != null) {
                        record.headers().add(headers[i], bytes(c[i]));
                    }
                }
                producer.send(record).get();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads the results topic's partition 0 (read_committed) from the beginning until {@code count} results arrived
     * and a quiet period more passed (room for a second result to show up), or {@code within}; by command id. Each
     * record's {@code state} header must agree with its value.
     */
    static Map<String, List<JsonNode>> results(String bootstrap, String topic, int count, Duration within,
                                               Duration quiet) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<String, List<JsonNode>> byId = new ConcurrentHashMap<>();
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            long deadline = System.nanoTime() + within.toNanos();
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    JsonNode result = JSON.readTree(record.value());
                    String state = new String(record.headers().lastHeader("state").value(), StandardCharsets.UTF_8);
                    if (!state.equals(result.get("state").asText())) {
                        throw new AssertionError("state header " + state + " against value " + result);
                    }
                    byId.computeIfAbsent(result.get("command_id").asText(), k -> new CopyOnWriteArrayList<>())
                            .add(result);
                    seen++;
                }
                if (seen >= count && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + quiet.toNanos();
                }
            }
        }
        return byId;
    }
}
