package dev.edgeline.agent.driver;

/**
 * Bosch's fixed-point reference formulas (BME280 datasheet BST-BME280-DS002, section 4.2.3 and 8.2: temperature in
 * 0.01 °C, pressure with the 64-bit formula in 1/256 Pa, humidity in 1/1024 %RH), written out independently of the
 * driver's double-precision ones, as the reference the driver is checked against.
 */
final class ReferenceCompensation {
    private ReferenceCompensation() {}

    static int fineTemperature(Bme280Calibration c, int adcT) {
        int var1 = ((((adcT >> 3) - (c.t1() << 1))) * c.t2()) >> 11;
        int var2 = (((((adcT >> 4) - c.t1()) * ((adcT >> 4) - c.t1())) >> 12) * c.t3()) >> 14;
        return var1 + var2;
    }

    /** 0.01 °C. */
    static int temperatureCentiCelsius(int fine) {
        return (fine * 5 + 128) >> 8;
    }

    /** Q24.8 Pa. */
    static long pressureQ24_8(Bme280Calibration c, int adcP, int fine) {
        long var1 = (long) fine - 128000;
        long var2 = var1 * var1 * c.p6();
        var2 = var2 + ((var1 * c.p5()) << 17);
        var2 = var2 + (((long) c.p4()) << 35);
        var1 = ((var1 * var1 * c.p3()) >> 8) + ((var1 * c.p2()) << 12);
        var1 = ((((1L) << 47) + var1)) * c.p1() >> 33;
        if (var1 == 0) {
            return 0;
        }
        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = (((long) c.p9()) * (p >> 13) * (p >> 13)) >> 25;
        var2 = (((long) c.p8()) * p) >> 19;
        return ((p + var1 + var2) >> 8) + (((long) c.p7()) << 4);
    }

    /** Q22.10 %RH. */
    static int humidityQ22_10(Bme280Calibration c, int adcH, int fine) {
        int v = fine - 76800;
        v = (((((adcH << 14) - (c.h4() << 20) - (c.h5() * v)) + 16384) >> 15)
                * (((((((v * c.h6()) >> 10) * (((v * c.h3()) >> 11) + 32768)) >> 10) + 2097152) * c.h2() + 8192) >> 14));
        v = v - (((((v >> 15) * (v >> 15)) >> 7) * c.h1()) >> 4);
        v = Math.max(v, 0);
        v = Math.min(v, 419430400);
        return v >> 12;
    }
}
