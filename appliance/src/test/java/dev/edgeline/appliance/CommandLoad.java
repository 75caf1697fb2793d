package dev.edgeline.appliance;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.eclipse.paho.mqttv5.client.MqttClient;

/**
 * Commands streaming to a device while it is being hurt (killed, cut off): a sender producing {@code c0, c1, ...} to
 * the device's command topic, to targets {@code t0..t<n-1>} in turn, one every {@code interval}, up to {@code max}
 * or until stopped; and a Paho responder on {@code edge/<device>/commands/+} that answers each with
 * {@code {"done": id}} and connects (and subscribes) again whenever the broker went away. What Kafka acknowledged is
 * {@link #sent()}; what reached the responder, in order, {@link #received()} and {@link #receivedPerTarget()}.
 */
final class CommandLoad implements AutoCloseable {
    private final String bootstrap;
    private final String device;
    private final int mqttPort;
    private final int targets;
    private final Duration interval;
    private final int max;
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> receivedPerTarget = new ConcurrentHashMap<>();
    private final AtomicBoolean sending = new AtomicBoolean(true);
    private final AtomicBoolean done = new AtomicBoolean();
    private final Thread sender;
    private final Thread responder;

    CommandLoad(String bootstrap, String device, int mqttPort, int targets, Duration interval, int max) {
        this.bootstrap = bootstrap;
        this.device = device;
        this.mqttPort = mqttPort;
        this.targets = targets;
        this.interval = interval;
        this.max = max;
        this.sender = new Thread(this::send, "command-sender");
        this.responder = new Thread(this::respond, "command-responder");
    }

    void start() {
        responder.start();
        sender.start();
    }

    /** Stops sending and waits for the sends in flight to be acknowledged or to fail. */
    void stopSending() throws InterruptedException {
        sending.set(false);
        sender.join(180_000);
    }

    /** Waits until the sender has sent its {@code max} commands. */
    void awaitSent(Duration within) throws InterruptedException {
        sender.join(within.toMillis());
    }

    /** The ids Kafka acknowledged, in the order sent. */
    List<String> sent() {
        return List.copyOf(sent);
    }

    List<String> received() {
        return List.copyOf(received);
    }

    Map<String, List<String>> receivedPerTarget() {
        return receivedPerTarget;
    }

    private void send() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 600_000); // through a Kafka outage
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < max && sending.get(); i++) {
                String id = "c" + i;
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("edge.commands." + device,
                        bytes(device), bytes(id));
                record.headers().add("command_id", bytes(id)).add("target", bytes("t" + (i % targets)));
                producer.send(record, (metadata, exception) -> {
                    if (exception == null) {
                        sent.add(id);
                    }
                });
                Thread.sleep(interval.toMillis());
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void respond() {
        while (!done.get()) {
            MqttClient client = null;
            try {
                client = CommandTestClients.responder(mqttPort, "load-responder-" + device,
                        "edge/" + device + "/commands/+", (target, id) -> {
                            received.add(id);
                            receivedPerTarget.computeIfAbsent(target, t -> new CopyOnWriteArrayList<>()).add(id);
                        });
                while (!done.get() && client.isConnected()) {
                    Thread.sleep(50);
                }
                if (client.isConnected()) {
                    client.disconnect();
                }
            } catch (Exception e) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    return;
                }
            } finally {
                if (client != null) {
                    try {
                        client.close(true);
                    } catch (Exception e) {
                        // closing a client of a dead broker
                    }
                }
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        sending.set(false);
        done.set(true);
        sender.join(30_000);
        responder.join(30_000);
    }
}
