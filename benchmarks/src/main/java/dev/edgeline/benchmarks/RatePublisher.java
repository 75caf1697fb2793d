package dev.edgeline.benchmarks;

import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * One Paho MQTT 5 publisher sending QoS 1, 200-byte publishes at a fixed rate, each carrying its send time
 * ({@link System#nanoTime()}) and its number in the first 12 bytes, with the identity of stream {@code stream}
 * (seq = number). At most 256 unacknowledged publishes. {@link LatencyConsumer} reads the times back.
 */
final class RatePublisher implements AutoCloseable {
    private final MqttAsyncClient client;
    private final String device;
    private final String stream;
    private final Semaphore window = new Semaphore(256);
    private final MqttActionListener release = new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
            window.release();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable exception) {
            window.release();
        }
    };

    RatePublisher(int mqttPort, String device, String stream) throws MqttException {
        this.device = device;
        this.stream = stream;
        this.client = new MqttAsyncClient("tcp://127.0.0.1:" + mqttPort, "bench-" + device + "-" + stream,
                new MemoryPersistence());
        client.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
    }

    /** Publishes {@code count} messages numbered from 0 at {@code rate} per second; returns when all are sent. */
    void publish(int count, int rate) throws MqttException, InterruptedException {
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (int seq = 0; seq < count; seq++) {
            next += interval;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            window.acquire();
            byte[] payload = new byte[200];
            ByteBuffer.wrap(payload).putLong(System.nanoTime()).putInt(seq);
            client.publish(IdentifiedMessage.topic(device, stream), IdentifiedMessage.of(device, stream, seq, payload),
                    null, release);
        }
    }

    @Override
    public void close() throws MqttException {
        client.disconnect().waitForCompletion(5_000);
        client.close();
    }
}
