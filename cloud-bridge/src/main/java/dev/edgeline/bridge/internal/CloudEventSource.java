package dev.edgeline.bridge.internal;

import java.nio.charset.StandardCharsets;

/**
 * The CloudEvents {@code source} of a stream: {@code edge://<device>/<stream>}, a valid URI for every device and
 * stream. A third-party stream is its MQTT topic, which may hold spaces, {@code %}, {@code ?}, non-ASCII letters or
 * anything else but wildcards, so every byte of the UTF-8 form other than an RFC 3986 unreserved character
 * ({@code A-Z a-z 0-9 - . _ ~}) or the level separator {@code /} is percent-encoded. The device's first level is the
 * URI's authority (the gateway), the rest its path; decoding the part after {@code edge://} gives
 * {@code device/stream} back.
 */
final class CloudEventSource {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private CloudEventSource() {}

    static String of(String device, String stream) {
        byte[] raw = (device + "/" + stream).getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(8 + raw.length + raw.length / 4);
        out.append("edge://");
        for (byte b : raw) {
            int c = b & 0xFF;
            if (isUnreserved(c) || c == '/') {
                out.append((char) c);
            } else {
                out.append('%').append((char) HEX[c >> 4]).append((char) HEX[c & 0xF]);
            }
        }
        return out.toString();
    }

    private static boolean isUnreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }
}
