package dev.edgeline.agent.driver;

/**
 * The trimming parameters a BME280 stores in its NVM (datasheet BST-BME280-DS002, section 4.2.2), and Bosch's
 * compensation formulas in their fixed-point form (section 4.2.3 and 8.2): temperature in 0.01 °C steps, pressure
 * with the 64-bit formula in 1/256 Pa, humidity in 1/1024 %RH.
 */
public record Bme280Calibration(int t1, int t2, int t3,
                                int p1, int p2, int p3, int p4, int p5, int p6, int p7, int p8, int p9,
                                int h1, int h2, int h3, int h4, int h5, int h6) {

    /** Register 0x88, 26 bytes: dig_T1..dig_P9 (little endian), a reserved byte, dig_H1 at 0xA1. */
    public static final int BLOCK1_START = 0x88;
    public static final int BLOCK1_LENGTH = 26;
    /** Register 0xE1, 7 bytes: dig_H2..dig_H6 (H4 and H5 share a nibble-packed byte). */
    public static final int BLOCK2_START = 0xE1;
    public static final int BLOCK2_LENGTH = 7;

    /** Decodes the two calibration blocks as read from the chip. */
    public static Bme280Calibration decode(byte[] block1, byte[] block2) {
        if (block1.length != BLOCK1_LENGTH || block2.length != BLOCK2_LENGTH) {
            throw new IllegalArgumentException("calibration blocks must be " + BLOCK1_LENGTH + " and "
                    + BLOCK2_LENGTH + " bytes");
        }
        int h4 = ((byte) block2[3] << 4) | (block2[4] & 0x0F);
        int h5 = ((byte) block2[5] << 4) | ((block2[4] & 0xFF) >> 4);
        return new Bme280Calibration(
                u16(block1, 0), s16(block1, 2), s16(block1, 4),
                u16(block1, 6), s16(block1, 8), s16(block1, 10), s16(block1, 12), s16(block1, 14),
                s16(block1, 16), s16(block1, 18), s16(block1, 20), s16(block1, 22),
                block1[25] & 0xFF, s16(block2, 0), block2[2] & 0xFF, h4, h5, block2[6]);
    }

    private static int u16(byte[] b, int offset) {
        return (b[offset] & 0xFF) | (b[offset + 1] & 0xFF) << 8;
    }

    private static int s16(byte[] b, int offset) {
        return (short) u16(b, offset);
    }

    /** The fine temperature {@code t_fine} that pressure and humidity compensation need. */
    public int fineTemperature(int adcT) {
        int var1 = ((((adcT >> 3) - (t1 << 1))) * t2) >> 11;
        int var2 = (((((adcT >> 4) - t1) * ((adcT >> 4) - t1)) >> 12) * t3) >> 14;
        return var1 + var2;
    }

    /** Temperature in 0.01 °C ("5123" is 51.23 °C). */
    public static int temperatureCentiCelsius(int fineTemperature) {
        return (fineTemperature * 5 + 128) >> 8;
    }

    /** Pressure in Pa as unsigned Q24.8 ("24674867" is 24674867/256 = 96386.2 Pa); 0 if the calibration is bad. */
    public long pressureQ24_8(int adcP, int fineTemperature) {
        long var1 = (long) fineTemperature - 128000;
        long var2 = var1 * var1 * p6;
        var2 = var2 + ((var1 * p5) << 17);
        var2 = var2 + (((long) p4) << 35);
        var1 = ((var1 * var1 * p3) >> 8) + ((var1 * p2) << 12);
        var1 = ((((1L) << 47) + var1)) * p1 >> 33;
        if (var1 == 0) {
            return 0; // avoids a division by zero
        }
        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = (((long) p9) * (p >> 13) * (p >> 13)) >> 25;
        var2 = (((long) p8) * p) >> 19;
        return ((p + var1 + var2) >> 8) + (((long) p7) << 4);
    }

    /** Relative humidity in %RH as unsigned Q22.10 ("47445" is 47445/1024 = 46.333 %RH). */
    public int humidityQ22_10(int adcH, int fineTemperature) {
        int v = fineTemperature - 76800;
        v = (((((adcH << 14) - (h4 << 20) - (h5 * v)) + 16384) >> 15)
                * (((((((v * h6) >> 10) * (((v * h3) >> 11) + 32768)) >> 10) + 2097152) * h2 + 8192) >> 14));
        v = v - (((((v >> 15) * (v >> 15)) >> 7) * h1) >> 4);
        v = Math.max(v, 0);
        v = Math.min(v, 419430400);
        return v >> 12;
    }
}
