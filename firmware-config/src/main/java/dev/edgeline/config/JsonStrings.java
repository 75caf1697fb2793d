package dev.edgeline.config;

/** JSON string literals for the small JSON documents the modules write by hand (readings, health, gap markers). */
public final class JsonStrings {
    private JsonStrings() {}

    /** {@code s} escaped for the inside of a JSON string literal: quotes, backslashes and control characters. */
    public static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** {@code s} as a quoted JSON string literal. */
    public static String quote(String s) {
        return '"' + escape(s) + '"';
    }
}
