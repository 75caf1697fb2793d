package dev.edgeline.bridge.internal;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Parses the {@code ts} of a payload to epoch milliseconds exactly as {@link Instant#parse} does, fast for the form
 * the agent (and most devices) write: {@code yyyy-MM-ddTHH:mm:ss[.fraction]Z}, read from the bytes in place with the
 * date's epoch day kept from the previous call (a drain's readings share their dates). Anything else (an offset,
 * lower case, a leap second, a year of more than four digits) goes to {@code Instant.parse}. {@code Instant.parse}
 * was 14% of the bridge thread's samples and a third of its allocations during a drain. Not thread-safe.
 */
final class Rfc3339Millis {
    /** Returned when the text is not a time {@link Instant#parse} accepts (or out of epoch milliseconds' range). */
    static final long INVALID = Long.MIN_VALUE;
    private static final int DATE_LENGTH = 10; // yyyy-MM-dd
    private static final int SECONDS_END = 19; // yyyy-MM-ddTHH:mm:ss

    private final byte[] cachedDate = new byte[DATE_LENGTH];
    private long cachedEpochDay;
    private boolean cached;

    /** The time in {@code in[start, end)} as epoch milliseconds, or {@link #INVALID}. */
    long parse(byte[] in, int start, int end) {
        long fast = fastPath(in, start, end);
        return fast != INVALID ? fast : slowPath(in, start, end);
    }

    private long fastPath(byte[] in, int start, int end) {
        int length = end - start;
        if (length < SECONDS_END + 1 || in[end - 1] != 'Z' || in[start + 4] != '-' || in[start + 7] != '-'
                || in[start + 10] != 'T' || in[start + 13] != ':' || in[start + 16] != ':') {
            return INVALID;
        }
        int hour = twoDigits(in, start + 11);
        int minute = twoDigits(in, start + 14);
        int second = twoDigits(in, start + 17);
        if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return INVALID;
        }
        int millis = 0;
        if (length > SECONDS_END + 1) { // a fraction: '.' and 1 to 9 digits before the 'Z'
            int digits = length - SECONDS_END - 2;
            if (in[start + SECONDS_END] != '.' || digits < 1 || digits > 9) {
                return INVALID;
            }
            for (int i = 0; i < digits; i++) {
                int d = in[start + SECONDS_END + 1 + i] - '0';
                if (d < 0 || d > 9) {
                    return INVALID;
                }
                if (i < 3) {
                    millis = millis * 10 + d;
                }
            }
            for (int i = digits; i < 3; i++) {
                millis *= 10;
            }
        }
        long epochDay = epochDay(in, start);
        if (epochDay == INVALID) {
            return INVALID;
        }
        return ((epochDay * 86_400 + hour * 3_600L + minute * 60L + second) * 1_000) + millis;
    }

    private long epochDay(byte[] in, int start) {
        if (cached && java.util.Arrays.equals(in, start, start + DATE_LENGTH, cachedDate, 0, DATE_LENGTH)) {
            return cachedEpochDay;
        }
        int century = twoDigits(in, start);
        int yearOfCentury = twoDigits(in, start + 2);
        int month = twoDigits(in, start + 5);
        int day = twoDigits(in, start + 8);
        if (century < 0 || yearOfCentury < 0 || month < 0 || day < 0) {
            return INVALID;
        }
        try {
            cachedEpochDay = LocalDate.of(century * 100 + yearOfCentury, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return INVALID; // Instant.parse refuses it too; the slow path says so
        }
        System.arraycopy(in, start, cachedDate, 0, DATE_LENGTH);
        cached = true;
        return cachedEpochDay;
    }

    /** Two ASCII digits as a number, or a negative number when either is not a digit. */
    private static int twoDigits(byte[] in, int at) {
        int tens = in[at] - '0';
        int ones = in[at + 1] - '0';
        if (tens < 0 || tens > 9 || ones < 0 || ones > 9) {
            return -1;
        }
        return tens * 10 + ones;
    }

    private static long slowPath(byte[] in, int start, int end) {
        try {
            return Instant.parse(new String(in, start, end - start, StandardCharsets.US_ASCII)).toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return INVALID;
        }
    }
}
