package dev.edgeline.agent.driver;

/**
 * The trimming parameters a BME280 stores in its NVM (datasheet BST-BME280-DS002, section 4.2.2), and Bosch's
 * compensation formulas in double precision (section 8.1, the form Bosch's API uses where there is an FPU, as on
 * every Raspberry Pi), with its output limits. The test checks them against the datasheet's worked example and the
 * datasheet's fixed-point reference formulas.
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
    public double fineTemperature(int adcT) {
        double var1 = (adcT / 16384.0 - t1 / 1024.0) * t2;
        double var2 = (adcT / 131072.0 - t1 / 8192.0) * (adcT / 131072.0 - t1 / 8192.0) * t3;
        return var1 + var2;
    }

    /** Temperature in °C, clamped to the sensor's range -40..85 as Bosch's API does. */
    public static double temperature(double fineTemperature) {
        return clamp(fineTemperature / 5120.0, -40, 85);
    }

    /** Pressure in Pa, clamped to 300..1100 hPa; 0 when the calibration would divide by zero. */
    public double pressure(int adcP, double fineTemperature) {
        double var1 = fineTemperature / 2.0 - 64000.0;
        double var2 = var1 * var1 * p6 / 32768.0;
        var2 = var2 + var1 * p5 * 2.0;
        var2 = var2 / 4.0 + p4 * 65536.0;
        var1 = (p3 * var1 * var1 / 524288.0 + p2 * var1) / 524288.0;
        var1 = (1.0 + var1 / 32768.0) * p1;
        if (var1 == 0.0) {
            return 0;
        }
        double p = 1048576.0 - adcP;
        p = (p - var2 / 4096.0) * 6250.0 / var1;
        var1 = p9 * p * p / 2147483648.0;
        var2 = p * p8 / 32768.0;
        return clamp(p + (var1 + var2 + p7) / 16.0, 30000, 110000);
    }

    /** Relative humidity in %RH, clamped to 0..100. */
    public double humidity(int adcH, double fineTemperature) {
        double h = fineTemperature - 76800.0;
        h = (adcH - (h4 * 64.0 + h5 / 16384.0 * h))
                * (h2 / 65536.0 * (1.0 + h6 / 67108864.0 * h * (1.0 + h3 / 67108864.0 * h)));
        h = h * (1.0 - h1 * h / 524288.0);
        return clamp(h, 0, 100);
    }

    private static double clamp(double value, double min, double max) {
        return Math.max(min, Math.min(max, value));
    }
}
