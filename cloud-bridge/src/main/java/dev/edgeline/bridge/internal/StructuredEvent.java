package dev.edgeline.bridge.internal;

import java.util.Base64;

/**
 * Writes a record as one CloudEvents JSON object (structured content mode, {@code application/cloudevents+json}):
 * <pre>
 * {"specversion":"1.0","id":"pi-1/temperature/3/42","source":"edge://pi-1/temperature",
 *  "device":"pi-1","stream":"temperature","mqtttopic":"edge/pi-1/temperature","type":"dev.edgeline.reading",
 *  "time":"2025-11-22T09:59:58.250Z","boot":"3","seq":"42","clocksynced":true,"datacontenttype":"application/json",
 *  "dataschema":"https://edgeline.dev/schemas/payload/reading.schema.json","data":{...the payload...}}
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
            this.idPrefix = JsonBytes.escaped(device + "/" + stream + "/");
            this.attributes = new JsonBytes().ascii(",\"source\":").bytes(JsonBytes.quoted(source))
                    .ascii(",\"device\":").bytes(JsonBytes.quoted(device))
                    .ascii(",\"stream\":").bytes(JsonBytes.quoted(stream))
                    .ascii(",\"mqtttopic\":").bytes(JsonBytes.quoted(mqttTopic)).toArray();
        }
    }

    private final JsonBytes out = new JsonBytes();

    /**
     * The event's bytes.
     *
     * @param json    whether {@code payload} is well-formed JSON (then it is embedded if it is valid UTF-8 too)
     * @param schema  the {@code dataschema} URI, or null
     */
    byte[] write(Stream stream, String boot, String seq, String type, byte[] time, boolean clockSynced,
                 boolean json, String schema, byte[] payload) {
        out.clear();
        out.ascii("{\"specversion\":\"1.0\",\"id\":\"").bytes(stream.idPrefix).ascii(boot).ascii("/").ascii(seq)
                .ascii("\"").bytes(stream.attributes)
                .ascii(",\"type\":\"").ascii(type)
                .ascii("\",\"time\":\"").bytes(time)
                .ascii("\",\"boot\":\"").ascii(boot)
                .ascii("\",\"seq\":\"").ascii(seq)
                .ascii(clockSynced ? "\",\"clocksynced\":true" : "\",\"clocksynced\":false");
        boolean embedded = json && JsonBytes.isUtf8(payload);
        out.ascii(embedded ? ",\"datacontenttype\":\"application/json\""
                : ",\"datacontenttype\":\"application/octet-stream\"");
        if (schema != null) {
            out.ascii(",\"dataschema\":\"").ascii(schema).ascii("\"");
        }
        if (embedded) {
            out.ascii(",\"data\":").bytes(payload);
        } else {
            out.ascii(",\"data_base64\":\"").bytes(Base64.getEncoder().encode(payload)).ascii("\"");
        }
        return out.ascii("}").toArray();
    }
}
