package dev.edgeline.appliance.analyst;

import dev.edgeline.config.RecordEnvelope;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** A Kafka record's identity, read from the headers the bridge writes (verify, tail, the console). */
public record RecordIdentity(String device, String stream, long boot, long seq) {

    /** The record's identity, or null when a header is missing or not a number (not written by our bridge). */
    public static RecordIdentity of(ConsumerRecord<byte[], byte[]> record) {
        String device = header(record, RecordEnvelope.DEVICE);
        String stream = header(record, RecordEnvelope.STREAM);
        String boot = header(record, RecordEnvelope.BOOT);
        String seq = header(record, RecordEnvelope.SEQ);
        if (device == null || stream == null || boot == null || seq == null) {
            return null;
        }
        try {
            return new RecordIdentity(device, stream, Long.parseLong(boot), Long.parseLong(seq));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The last header of that name as UTF-8 text, or null. */
    public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
