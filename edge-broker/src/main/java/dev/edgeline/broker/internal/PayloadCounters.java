package dev.edgeline.broker.internal;

import java.util.OptionalLong;

/**
 * Reads the top-level {@code "seq"} and {@code "boot"} members of a JSON object payload, for devices that count their
 * publishes and cannot send user properties (MQTT 3.1.1): {@code {"seq":42,"boot":3,"t":21.5}}. Only non-negative
 * integers count (up to {@link Long#MAX_VALUE}); nested members of the same name are not the device's counters.
 * Anything that is not a JSON object, or whose top level it cannot follow, has neither. Stateless.
 */
final class PayloadCounters {
    /** The two counters, each empty when absent; {@code malformed} names a member that is there but not usable. */
    record Counters(OptionalLong seq, OptionalLong boot, String malformed) {}

    private static final Counters NONE = new Counters(OptionalLong.empty(), OptionalLong.empty(), null);

    private PayloadCounters() {}

    static Counters read(byte[] payload) {
        Scanner scanner = new Scanner(payload);
        try {
            return scanner.topLevel();
        } catch (IllegalStateException notFollowed) {
            return NONE;
        }
    }

    private static final class Scanner {
        private final byte[] in;
        private int pos;

        Scanner(byte[] in) {
            this.in = in;
        }

        Counters topLevel() {
            skipSpace();
            expect('{');
            OptionalLong seq = OptionalLong.empty();
            OptionalLong boot = OptionalLong.empty();
            String malformed = null;
            skipSpace();
            if (peek() == '}') {
                return NONE;
            }
            while (true) {
                skipSpace();
                int keyStart = pos + 1;
                skipString();
                int keyEnd = pos - 1;
                skipSpace();
                expect(':');
                skipSpace();
                boolean isSeq = is(keyStart, keyEnd, "seq");
                boolean isBoot = is(keyStart, keyEnd, "boot");
                if (isSeq || isBoot) {
                    int valueStart = pos;
                    skipValue(0);
                    OptionalLong number = counter(valueStart, pos);
                    if (number.isEmpty() && malformed == null) {
                        malformed = (isSeq ? "seq" : "boot") + "=" + new String(in, valueStart, pos - valueStart,
                                java.nio.charset.StandardCharsets.UTF_8).strip();
                    }
                    if (isSeq) {
                        seq = number;
                    } else {
                        boot = number;
                    }
                } else {
                    skipValue(0);
                }
                skipSpace();
                byte next = next();
                if (next == '}') {
                    return new Counters(seq, boot, malformed);
                }
                if (next != ',') {
                    throw new IllegalStateException();
                }
            }
        }

        private OptionalLong counter(int start, int end) {
            while (end > start && isSpace(in[end - 1])) {
                end--;
            }
            if (start == end || end - start > 19) {
                return OptionalLong.empty();
            }
            long value = 0;
            for (int i = start; i < end; i++) {
                if (in[i] < '0' || in[i] > '9') {
                    return OptionalLong.empty();
                }
                value = value * 10 + (in[i] - '0');
                if (value < 0) {
                    return OptionalLong.empty();
                }
            }
            return OptionalLong.of(value);
        }

        private boolean is(int start, int end, String key) {
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

        private void skipValue(int depth) {
            if (depth > 64) {
                throw new IllegalStateException();
            }
            switch (peek()) {
                case '"' -> skipString();
                case '{', '[' -> {
                    byte close = next() == '{' ? (byte) '}' : (byte) ']';
                    skipSpace();
                    if (peek() == close) {
                        pos++;
                        return;
                    }
                    while (true) {
                        skipSpace();
                        if (close == '}') {
                            skipString();
                            skipSpace();
                            expect(':');
                            skipSpace();
                        }
                        skipValue(depth + 1);
                        skipSpace();
                        byte next = next();
                        if (next == close) {
                            return;
                        }
                        if (next != ',') {
                            throw new IllegalStateException();
                        }
                    }
                }
                default -> {
                    int start = pos;
                    while (pos < in.length && in[pos] != ',' && in[pos] != '}' && in[pos] != ']') {
                        pos++;
                    }
                    if (pos == start) {
                        throw new IllegalStateException();
                    }
                }
            }
        }

        private void skipString() {
            expect('"');
            while (true) {
                byte b = next();
                if (b == '\\') {
                    next();
                } else if (b == '"') {
                    return;
                }
            }
        }

        private void skipSpace() {
            while (pos < in.length && isSpace(in[pos])) {
                pos++;
            }
        }

        private static boolean isSpace(byte b) {
            return b == ' ' || b == '\t' || b == '\n' || b == '\r';
        }

        private byte peek() {
            if (pos >= in.length) {
                throw new IllegalStateException();
            }
            return in[pos];
        }

        private byte next() {
            byte b = peek();
            pos++;
            return b;
        }

        private void expect(char c) {
            if (next() != c) {
                throw new IllegalStateException();
            }
        }
    }
}
