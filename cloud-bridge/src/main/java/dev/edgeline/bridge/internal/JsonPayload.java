package dev.edgeline.bridge.internal;

import java.util.OptionalLong;

/**
 * One pass over a payload: whether it is well-formed JSON (RFC 8259, a strict validating scanner, no tree built),
 * whether it is an object with a top-level {@code "value"} member, and the time in its top-level {@code "ts"} member
 * (RFC 3339, as the agent writes it). What the bridge needs for {@code content-type}, {@code ce_dataschema} and
 * {@code ce_time}, at a few hundred nanoseconds for a reading. Not thread-safe; reusable.
 */
final class JsonPayload {
    private static final int MAX_DEPTH = 64;
    private byte[] in;
    private int pos;
    private boolean object;
    private boolean hasValue;
    private long tsMillis;
    private boolean hasTs;
    private final Rfc3339Millis time = new Rfc3339Millis();

    /** Scans {@code payload}; false when it is not well-formed JSON (then nothing else is known). */
    boolean scan(byte[] payload) {
        in = payload;
        pos = 0;
        object = false;
        hasValue = false;
        hasTs = false;
        try {
            skipWhitespace();
            object = peek() == '{';
            value(0);
            skipWhitespace();
            return pos == in.length;
        } catch (Malformed e) {
            return false;
        }
    }

    boolean isObject() {
        return object;
    }

    /** Whether the top-level object has a {@code "value"} member (a reading). */
    boolean hasValue() {
        return hasValue;
    }

    /** The top-level {@code "ts"} member as epoch milliseconds, if it is an RFC 3339 time. */
    OptionalLong ts() {
        return hasTs ? OptionalLong.of(tsMillis) : OptionalLong.empty();
    }

    private void value(int depth) throws Malformed {
        if (depth > MAX_DEPTH) {
            throw new Malformed();
        }
        skipWhitespace();
        switch (peek()) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        }
    }

    private void object(int depth) throws Malformed {
        pos++;
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return;
        }
        while (true) {
            skipWhitespace();
            int keyStart = pos + 1;
            string();
            int keyEnd = pos - 1;
            skipWhitespace();
            expect(':');
            skipWhitespace();
            if (depth == 0 && isKey(keyStart, keyEnd, "ts") && peek() == '"') {
                int valueStart = pos + 1;
                string();
                parseTs(valueStart, pos - 1);
            } else {
                if (depth == 0 && isKey(keyStart, keyEnd, "value")) {
                    hasValue = true;
                }
                value(depth + 1);
            }
            skipWhitespace();
            byte next = next();
            if (next == '}') {
                return;
            }
            if (next != ',') {
                throw new Malformed();
            }
        }
    }

    private void array(int depth) throws Malformed {
        pos++;
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return;
        }
        while (true) {
            value(depth + 1);
            skipWhitespace();
            byte next = next();
            if (next == ']') {
                return;
            }
            if (next != ',') {
                throw new Malformed();
            }
        }
    }

    private void string() throws Malformed {
        expect('"');
        while (true) {
            byte b = next();
            if (b == '"') {
                return;
            }
            if (b == '\\') {
                byte escaped = next();
                if (escaped == 'u') {
                    for (int i = 0; i < 4; i++) {
                        if (Character.digit(next(), 16) < 0) {
                            throw new Malformed();
                        }
                    }
                } else if ("\"\\/bfnrt".indexOf(escaped) < 0) {
                    throw new Malformed();
                }
            } else if ((b & 0xff) < 0x20) {
                throw new Malformed(); // control characters must be escaped
            }
            // bytes >= 0x80 are UTF-8 inside a string; the producer wrote them, Kafka carries them unchanged
        }
    }

    private void number() throws Malformed {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else {
            digits();
        }
        if (pos < in.length && in[pos] == '.') {
            pos++;
            digits();
        }
        if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
            pos++;
            if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) {
                pos++;
            }
            digits();
        }
        if (pos == start) {
            throw new Malformed();
        }
    }

    private void digits() throws Malformed {
        int start = pos;
        while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
            pos++;
        }
        if (pos == start) {
            throw new Malformed();
        }
    }

    private void literal(String word) throws Malformed {
        for (int i = 0; i < word.length(); i++) {
            if (next() != word.charAt(i)) {
                throw new Malformed();
            }
        }
    }

    private void parseTs(int start, int end) {
        long millis = time.parse(in, start, end);
        hasTs = millis != Rfc3339Millis.INVALID;
        tsMillis = millis;
    }

    private boolean isKey(int start, int end, String key) {
        if (end - start != key.length()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (in[start + i] != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void skipWhitespace() {
        while (pos < in.length && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
            pos++;
        }
    }

    private byte peek() throws Malformed {
        if (pos >= in.length) {
            throw new Malformed();
        }
        return in[pos];
    }

    private byte next() throws Malformed {
        if (pos >= in.length) {
            throw new Malformed();
        }
        return in[pos++];
    }

    private void expect(char c) throws Malformed {
        if (next() != c) {
            throw new Malformed();
        }
    }

    /** Not JSON; thrown without a stack trace (it is the normal answer for a non-JSON payload). */
    private static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed() {
            super(null, null, false, false);
        }
    }
}
