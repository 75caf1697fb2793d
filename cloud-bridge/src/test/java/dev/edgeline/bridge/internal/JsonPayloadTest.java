package dev.edgeline.bridge.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonPayloadTest {
    private final JsonPayload payload = new JsonPayload();

    private boolean scan(String text) {
        return payload.scan(text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "[]", "0", "-1.5e+3", "\"x\"", "true", "null", " { \"a\" : [1, {\"b\":null}] } ",
            "{\"s\":\"\\u00e9\\n\\\"\"}", "{\"unit\":\"°C\"}", "[[[[]]]]"})
    void wellFormedJson(String text) {
        assertThat(scan(text)).as(text).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "21.5 C", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "01", "1.", "-",
            "\"unterminated", "{\"a\":1} x", "tru", "{'a':1}", "\"tab\there\"", "\"\\x\"", "NaN"})
    void notJson(String text) {
        assertThat(scan(text)).as(text).isFalse();
    }

    @Test
    void deepNesting_isRefused_withoutAStackOverflow() {
        assertThat(scan("[".repeat(100_000) + "]".repeat(100_000))).isFalse();
    }

    @Test
    void topLevelTsAndValue_areFound_nestedOnesAreNot() {
        assertThat(scan("{\"value\":1,\"ts\":\"2025-11-22T10:00:00.123Z\"}")).isTrue();
        assertThat(payload.hasValue()).isTrue();
        assertThat(payload.ts()).hasValue(1_763_805_600_123L);
        assertThat(scan("{\"x\":{\"value\":1,\"ts\":\"2025-11-22T10:00:00Z\"}}")).isTrue();
        assertThat(payload.hasValue()).isFalse();
        assertThat(payload.ts()).isEmpty();
        assertThat(scan("{\"ts\":\"yesterday\"}")).isTrue();
        assertThat(payload.ts()).as("not a time: the arrival time is used instead").isEmpty();
    }
}
