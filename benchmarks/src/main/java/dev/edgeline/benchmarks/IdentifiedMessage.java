package dev.edgeline.benchmarks;

import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/** A reading as the agent publishes it over MQTT 5: QoS 1, its identity (device, stream, boot 1, seq) as user properties. */
final class IdentifiedMessage {
    private IdentifiedMessage() {}

    /** The topic the agent publishes a stream's readings on. */
    static String topic(String device, String stream) {
        return "edge/" + device + "/" + stream;
    }

    /** Reading {@code seq} of {@code device}'s {@code stream} (boot 1) carrying {@code payload}. */
    static MqttMessage of(String device, String stream, long seq, byte[] payload) {
        MqttMessage message = new MqttMessage(payload);
        message.setQos(1);
        MqttProperties properties = new MqttProperties();
        properties.setUserProperties(List.of(new UserProperty("device", device), new UserProperty("stream", stream),
                new UserProperty("boot", "1"), new UserProperty("seq", Long.toString(seq))));
        message.setProperties(properties);
        return message;
    }
}
