package dev.edgeline.benchmarks;

import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One Paho MQTT 3.1.1 publisher (thread {@code bench311-<name>}): a gateway's shape, QoS 1 publishes of 200-byte
 * payloads to {@code edge/<device>/<name>} with no identity of their own (the broker numbers them), as fast as a
 * window of unacknowledged publishes allows; counts acknowledged and failed publishes.
 */
final class Mqtt311WindowedPublisher implements LoadPublisher {
    private final MqttAsyncClient client;
    private final MqttConnectOptions options = new MqttConnectOptions();
    private final String topic;
    private final PublishWindow window;
    private final Thread thread;
    private volatile boolean running = true;

    /** {@code tls}: the socket factory of a TLS listener, with the bench user's password; null for plain. */
    Mqtt311WindowedPublisher(String uri, String device, String name, int windowSize, AtomicLong acknowledged,
                             AtomicLong refused, SSLSocketFactory tls) throws MqttException {
        this.client = new MqttAsyncClient(uri, IngestBrokers.USER + "-gw-" + name, new MemoryPersistence()); // the bench user's ids: bench-*
        this.topic = "edge/" + device + "/" + name;
        this.window = new PublishWindow(windowSize, acknowledged, refused);
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setMaxInflight(windowSize);
        options.setAutomaticReconnect(false);
        if (tls != null) {
            options.setSocketFactory(tls);
            options.setUserName(IngestBrokers.USER);
            options.setPassword(IngestBrokers.PASSWORD.toCharArray());
        }
        this.thread = Thread.ofPlatform().name("bench311-" + name).unstarted(this::run);
    }

    @Override
    public void start() throws MqttException {
        client.connect(options).waitForCompletion(10_000);
        thread.start();
    }

    private void run() {
        byte[] payload = new byte[MqttLoadHarness.PAYLOAD_BYTES];
        IMqttActionListener onAck = new IMqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                window.acknowledged();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                window.refused();
            }
        };
        window.run(() -> running, seq -> {
            MqttMessage message = new MqttMessage(payload);
            message.setQos(1);
            client.publish(topic, message, null, onAck);
        });
    }

    @Override
    public void stop() throws InterruptedException, MqttException {
        running = false;
        thread.join(5_000);
        client.disconnectForcibly(1_000, 1_000, false);
        client.close(true);
    }
}
