package dev.edgeline.agent.driver;

import java.io.IOException;
import java.util.HexFormat;

/**
 * Parses the kernel w1_therm driver's {@code w1_slave} text for a DS18B20:
 * <pre>
 * 72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
 * 72 01 4b 46 7f ff 0e 10 57 t=23125
 * </pre>
 * The first line is the 9-byte scratchpad and the kernel's CRC verdict; the second repeats it with the temperature
 * in millidegrees. We honour the verdict, check the Dallas CRC-8 ourselves too, and refuse the values a DS18B20
 * produces when it did not really measure: the power-on reset value 85 °C (0x0550, a probe that lost power during
 * conversion) and an all-zero or all-ones scratchpad (nothing answering on the line).
 */
public final class W1SlaveReading {
    private W1SlaveReading() {}

    /** The temperature in °C, or an {@link IOException} saying what is wrong with the reading. */
    public static double celsius(String deviceId, String text) throws IOException {
        String[] lines = text.strip().split("\n");
        if (lines.length < 2) {
            throw new IOException(deviceId + ": w1_slave has " + lines.length + " line(s), expected 2: '"
                    + text.strip() + "'");
        }
        byte[] scratchpad = scratchpad(deviceId, lines[0]);
        if (!lines[0].strip().endsWith("YES")) {
            throw new IOException(deviceId + ": CRC check failed (kernel: '" + lines[0].strip() + "')");
        }
        if (crc8(scratchpad, 8) != (scratchpad[8] & 0xFF)) {
            throw new IOException(deviceId + ": CRC mismatch in scratchpad " + lines[0].strip());
        }
        boolean allZero = true;
        boolean allOnes = true;
        for (byte b : scratchpad) {
            allZero &= b == 0;
            allOnes &= b == (byte) 0xFF;
        }
        if (allZero || allOnes) {
            throw new IOException(deviceId + ": no probe answering (scratchpad all " + (allZero ? "0x00" : "0xff")
                    + "): disconnected?");
        }
        int raw = (short) ((scratchpad[0] & 0xFF) | (scratchpad[1] & 0xFF) << 8);
        if (raw == 0x0550) {
            throw new IOException(deviceId + ": 85 °C power-on value: the probe did not convert (power or "
                    + "wiring problem, or parasite power too weak)");
        }
        int t = lines[1].lastIndexOf("t=");
        if (t < 0) {
            throw new IOException(deviceId + ": no 't=' in '" + lines[1].strip() + "'");
        }
        long milli;
        try {
            milli = Long.parseLong(lines[1].substring(t + 2).strip());
        } catch (NumberFormatException e) {
            throw new IOException(deviceId + ": bad temperature in '" + lines[1].strip() + "'");
        }
        if (Math.abs(milli - raw * 1000L / 16) > 1) {
            throw new IOException(deviceId + ": t=" + milli + " disagrees with the scratchpad (" + raw / 16.0 + " °C)");
        }
        if (milli < -55_000 || milli > 125_000) {
            throw new IOException(deviceId + ": " + milli / 1000.0 + " °C is outside the DS18B20's range");
        }
        return milli / 1000.0;
    }

    private static byte[] scratchpad(String deviceId, String line) throws IOException {
        int colon = line.indexOf(':');
        String[] hex = (colon < 0 ? line : line.substring(0, colon)).strip().split("\\s+");
        if (hex.length != 9) {
            throw new IOException(deviceId + ": expected 9 scratchpad bytes in '" + line.strip() + "'");
        }
        byte[] bytes = new byte[9];
        try {
            for (int i = 0; i < 9; i++) {
                bytes[i] = (byte) HexFormat.fromHexDigits(hex[i]);
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(deviceId + ": bad scratchpad '" + line.strip() + "'");
        }
        return bytes;
    }

    /** Dallas/Maxim CRC-8 (polynomial x^8 + x^5 + x^4 + 1, reflected), as the DS18B20 computes it. */
    static int crc8(byte[] data, int length) {
        int crc = 0;
        for (int i = 0; i < length; i++) {
            int b = data[i] & 0xFF;
            for (int bit = 0; bit < 8; bit++) {
                int mix = (crc ^ b) & 1;
                crc >>= 1;
                if (mix != 0) {
                    crc ^= 0x8C;
                }
                b >>= 1;
            }
        }
        return crc;
    }
}
