package dev.edgeline.bridge.internal;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Formats a record's arrival time for the {@code ce_time} header: RFC 3339 in UTC, always with milliseconds
 * ({@code 2026-11-22T07:00:12.345Z}, 24 bytes), as UTF-8 bytes. The date-and-time part is computed once per second and
 * reused, because the bridge formats one time per record on its only thread ({@code Instant.toString} was 6% of it
 * during a drain). Not thread-safe.
 */
final class CloudEventTime {
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.");
    private static final int LENGTH = 24;

    private long cachedSecond = Long.MIN_VALUE;
    private final byte[] secondPrefix = new byte[LENGTH - 4];

    /** {@code epochMillis} as {@code yyyy-MM-ddTHH:mm:ss.SSSZ}; years outside 0000-9999 are refused. */
    byte[] format(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        if (second != cachedSecond) {
            LocalDateTime time = LocalDateTime.ofEpochSecond(second, 0, ZoneOffset.UTC);
            if (time.getYear() < 0 || time.getYear() > 9999) {
                throw new IllegalArgumentException("time " + epochMillis + " ms is outside the years 0000-9999");
            }
            byte[] prefix = SECONDS.format(time).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(prefix, 0, secondPrefix, 0, secondPrefix.length);
            cachedSecond = second;
        }
        int millis = (int) Math.floorMod(epochMillis, 1000);
        byte[] out = new byte[LENGTH];
        System.arraycopy(secondPrefix, 0, out, 0, secondPrefix.length);
        out[20] = (byte) ('0' + millis / 100);
        out[21] = (byte) ('0' + millis / 10 % 10);
        out[22] = (byte) ('0' + millis % 10);
        out[23] = 'Z';
        return out;
    }
}
