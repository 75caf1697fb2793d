package dev.edgeline.bridge.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Writes a record as one CloudEvents JSON object (structured content mode, {@code application/cloudevents+json}):
 * <pre>
 * {"specversion":"1.0","id":"pi-1/temperature/3/42","source":"edge://pi-1/temperature",
 *  "type":"dev.edgeline.reading","time":"2025-11-22T09:59:58.250Z","datacontenttype":"application/json",
 *  "dataschema":"https://edgeline.dev/schemas/payload/reading.schema.json",
 *  "device":"pi-1","stream":"temperature","boot":"3","seq":"42","mqtttopic":"edge/pi-1/temperature",
 *  "clocksynced":true,"data":{...the payload...}}
 * </pre>
 * The payload goes in unchanged as {@code data} when it is well-formed JSON in valid UTF-8, else base64-encoded as
 * {@code data_base64} (CloudEvents' rule for binary data). {@code boot} and {@code seq} are strings because they are
 * 64-bit and a CloudEvents integer is 32-bit; extension names are lower-case letters only, as CloudEvents requires.
 * What is the same for every record of a stream is escaped once ({@link Stream}). Not thread-safe; reusable.
 */
final class StructuredEvent {
    /** The constant parts of one stream's events, escaped once. */
    static final class Stream {
        private final byte[] idPrefix;
        private final byte[] attributes;

        Stream(String device, String stream, String mqttTopic, String source) {
            this.idPrefix = utf8(escape(device + "/" + stream + "/"));
            this.attributes = utf8(",\"source\":\"" + escape(source) + "\",\"device\":\"" + escape(device)
                    + "\",\"stream\":\"" + escape(stream) + "\",\"mqtttopic\":\"" + escape(mqttTopic) + "\"");
        }
    }

    private static final byte[] START = utf8("{\"specversion\":\"1.0\",\"id\":\"");
    private byte[] out = new byte[1024];
    private int size;

    /**
     * The event's bytes.
     *
     * @param json    whether {@code payload} is well-formed JSON (then it is embedded if it is valid UTF-8 too)
     * @param schema  the {@code dataschema} URI, or null
     */
    byte[] write(Stream stream, String boot, String seq, String type, byte[] time, boolean clockSynced,
                 boolean json, String schema, byte[] payload) {
        size = 0;
        append(START);
        append(stream.idPrefix);
        ascii(boot);
        ascii("/");
        ascii(seq);
        ascii("\"");
        append(stream.attributes);
        ascii(",\"type\":\"");
        ascii(type);
        ascii("\",\"time\":\"");
        append(time);
        ascii("\",\"boot\":\"");
        ascii(boot);
        ascii("\",\"seq\":\"");
        ascii(seq);
        ascii(clockSynced ? "\",\"clocksynced\":true" : "\",\"clocksynced\":false");
        boolean embedded = json && isUtf8(payload);
        ascii(embedded ? ",\"datacontenttype\":\"application/json\"" : ",\"datacontenttype\":\"application/octet-stream\"");
        if (schema != null) {
            ascii(",\"dataschema\":\"");
            ascii(schema);
            ascii("\"");
        }
        if (embedded) {
            ascii(",\"data\":");
            append(payload);
        } else {
            ascii(",\"data_base64\":\"");
            append(Base64.getEncoder().encode(payload));
            ascii("\"");
        }
        ascii("}");
        return Arrays.copyOf(out, size);
    }

    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            out[size++] = (byte) s.charAt(i);
        }
    }

    private void append(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, out, size, bytes.length);
        size += bytes.length;
    }

    private void ensure(int more) {
        if (size + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
        }
    }

    /** Whether {@code bytes} is well-formed UTF-8 (no overlong forms, surrogates or values above U+10FFFF). */
    static boolean isUtf8(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                i++;
                continue;
            }
            int length;
            int min;
            if (b >= 0xC2 && b <= 0xDF) {
                length = 2;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                length = 3;
                min = 0x800;
            } else if (b >= 0xF0 && b <= 0xF4) {
                length = 4;
                min = 0x10000;
            } else {
                return false;
            }
            if (i + length > bytes.length) {
                return false;
            }
            int code = b & (0xFF >> (length + 1));
            for (int k = 1; k < length; k++) {
                int next = bytes[i + k] & 0xFF;
                if ((next & 0xC0) != 0x80) {
                    return false;
                }
                code = (code << 6) | (next & 0x3F);
            }
            if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
                return false;
            }
            i += length;
        }
        return true;
    }

    private static String escape(String s) {
        return dev.edgeline.config.JsonStrings.escape(s);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
