package dev.edgeline.benchmarks;

import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * One Paho MQTT 5 publisher (thread {@code bench-<stream>}) sending QoS 1 publishes of 200-byte payloads to
 * {@code edge/<device>/<stream>} with the stream's identity, as fast as a window of unacknowledged publishes allows
 * (never more than the broker's receive maximum); counts acknowledged and refused publishes.
 */
final class WindowedPublisher implements LoadPublisher {
    private final MqttAsyncClient client;
    private final String stream;
    private final PublishWindow window;
    private final String device;
    private final java.util.function.Consumer<MqttConnectionOptions> security;
    private final Thread thread;
    private volatile boolean running = true;

    /** A publisher for {@code device} (the broker's own device id: the broker refuses records of another device). */
    WindowedPublisher(String uri, String device, String stream, int windowSize, AtomicLong acknowledged,
                      AtomicLong refused) throws MqttException {
        this(uri, device, stream, windowSize, acknowledged, refused, options -> { });
    }

    /** As above, with {@code security} adding TLS and credentials to the connect options. */
    WindowedPublisher(String uri, String device, String stream, int windowSize, AtomicLong acknowledged,
                      AtomicLong refused, java.util.function.Consumer<MqttConnectionOptions> security)
            throws MqttException {
        this.security = security;
        this.client = new MqttAsyncClient(uri, "bench-" + stream, new MemoryPersistence());
        this.device = device;
        this.stream = stream;
        this.window = new PublishWindow(windowSize, acknowledged, refused);
        this.thread = Thread.ofPlatform().name("bench-" + stream).unstarted(this::run);
    }

    @Override
    public void start() throws MqttException {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        security.accept(options);
        IMqttToken token = client.connect(options);
        token.waitForCompletion(10_000);
        Integer receiveMaximum = token.getResponseProperties() == null ? null
                : token.getResponseProperties().getReceiveMaximum();
        if (receiveMaximum != null) {
            window.narrowTo(receiveMaximum);
        }
        thread.start();
    }

    private void run() {
        byte[] payload = new byte[MqttLoadHarness.PAYLOAD_BYTES];
        MqttActionListener onAck = new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                int[] codes = token.getReasonCodes();
                if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                    window.refused();
                } else {
                    window.acknowledged();
                }
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                window.refused();
            }
        };
        window.run(() -> running, seq -> {
            client.publish(IdentifiedMessage.topic(device, stream), IdentifiedMessage.of(device, stream, seq, payload),
                    null, onAck);
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

