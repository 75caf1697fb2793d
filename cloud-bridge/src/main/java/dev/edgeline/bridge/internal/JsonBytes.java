package dev.edgeline.bridge.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer for the JSON values the bridge writes per record ({@link StructuredEvent},
 * {@link ConnectRecord}): ASCII text, ready bytes, JSON string literals and numbers, without building strings per
 * record. Reused between records; not thread-safe.
 */
final class JsonBytes {
    private byte[] out = new byte[1024];
    private int size;

    void clear() {
        size = 0;
    }

    /** Text known to be ASCII and to need no escaping (names, numbers, constants). */
    JsonBytes ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            out[size++] = (byte) s.charAt(i);
        }
        return this;
    }

    JsonBytes bytes(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, out, size, bytes.length);
        size += bytes.length;
        return this;
    }

    JsonBytes number(long value) {
        return ascii(Long.toString(value));
    }

    /** UTF-8 text (checked by the caller) as a quoted JSON string literal: quotes, backslashes, controls escaped. */
    JsonBytes utf8Literal(byte[] text) {
        ensure(text.length + 2);
        out[size++] = '"';
        for (byte b : text) {
            if (b == '"' || b == '\\') {
                ensure(2 + 1);
                out[size++] = '\\';
                out[size++] = b;
            } else if (b >= 0 && b < 0x20) {
                ensure(6 + 1);
                out[size++] = '\\';
                out[size++] = 'u';
                out[size++] = '0';
                out[size++] = '0';
                out[size++] = HEX[b >> 4];
                out[size++] = HEX[b & 0xF];
            } else {
                ensure(1 + 1);
                out[size++] = b;
            }
        }
        out[size++] = '"';
        return this;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** What was written, as a new array. */
    byte[] toArray() {
        return Arrays.copyOf(out, size);
    }

    private void ensure(int more) {
        if (size + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
        }
    }

    /** {@code s} as a quoted JSON string literal in UTF-8 (for what is escaped once per stream). */
    static byte[] quoted(String s) {
        return ('"' + dev.edgeline.config.JsonStrings.escape(s) + '"').getBytes(StandardCharsets.UTF_8);
    }

    /** {@code s} JSON-escaped without quotes, in UTF-8. */
    static byte[] escaped(String s) {
        return dev.edgeline.config.JsonStrings.escape(s).getBytes(StandardCharsets.UTF_8);
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
}
