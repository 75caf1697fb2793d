package dev.edgeline.broker.crash;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * A QoS 1 publisher for the crash test, one stream, numbered records: publishes windows of up to 32 records, records
 * which were acknowledged with success, and resends the rest of a window, in order, after reconnecting. Runs on its
 * own thread until stopped.
 */
final class TestPublisher implements AutoCloseable {
    private final String uri;
    private final String stream;
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long nextSeq;

    TestPublisher(String uri, String stream) {
        this.uri = uri;
        this.stream = stream;
        this.thread = Thread.ofPlatform().name("publisher-" + stream).unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    Set<Long> acknowledged() {
        return new java.util.HashSet<>(acknowledged);
    }

    long sent() {
        return nextSeq;
    }

    private void run() {
        List<Long> window = new ArrayList<>();
        MqttAsyncClient client = null;
        while (running) {
            try {
                if (client == null || !client.isConnected()) {
                    if (client != null) {
                        client.close(true);
                    }
                    client = new MqttAsyncClient(uri, "crash-" + stream, new MemoryPersistence());
                    MqttConnectionOptions options = new MqttConnectionOptions();
                    options.setCleanStart(true);
                    options.setConnectionTimeout(2);
                    client.connect(options).waitForCompletion(3_000);
                }
                while (window.size() < 32) {
                    window.add(nextSeq++);
                }
                List<IMqttToken> tokens = new ArrayList<>();
                for (long seq : window) {
                    tokens.add(client.publish("edge/crash-pi/" + stream, message(seq)));
                }
                List<Long> notAcknowledged = new ArrayList<>();
                for (int i = 0; i < tokens.size(); i++) {
                    IMqttToken token = tokens.get(i);
                    try {
                        token.waitForCompletion(5_000);
                        int[] codes = token.getReasonCodes();
                        if (token.isComplete() && token.getException() == null && codes != null && codes.length > 0
                                && codes[0] < 0x80) {
                            acknowledged.add(window.get(i));
                            continue;
                        }
                    } catch (MqttException e) {
                        // not acknowledged: resend
                    }
                    notAcknowledged.add(window.get(i));
                }
                window = notAcknowledged;
            } catch (MqttException e) {
                sleep(100);
            }
        }
        if (client != null) {
            try {
                client.disconnectForcibly(100, 100, false);
                client.close(true);
            } catch (MqttException e) {
                // closing anyway
            }
        }
    }

    private MqttMessage message(long seq) {
        MqttMessage message = new MqttMessage(("{\"value\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        MqttProperties properties = new MqttProperties();
        properties.setUserProperties(List.of(new UserProperty("device", "crash-pi"), new UserProperty("stream", stream),
                new UserProperty("boot", "1"), new UserProperty("seq", Long.toString(seq))));
        message.setProperties(properties);
        return message;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(15_000);
    }
}
