package dev.edgeline.agent.driver;

import dev.edgeline.agent.bus.I2cDevice;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Bosch BME280 on I2C (datasheet BST-BME280-DS002). At open: checks the chip id (0x60; a BMP280 answers 0x58 and has
 * no humidity), soft-resets, waits for the NVM copy, reads the calibration and writes the configured oversampling,
 * IIR filter and mode. In forced mode every {@link #read()} starts one measurement, waits its documented maximum
 * duration and polls the status register; in normal mode the chip measures on its own (standby chosen to fit the
 * period) and {@link #read()} only reads the result. Data registers are read in one burst (0xF7..0xFE), as the
 * datasheet requires for consistent values. Confined to its sampling thread.
 */
public final class Bme280Driver implements SensorDriver {
    static final int REG_CHIP_ID = 0xD0;
    static final int REG_RESET = 0xE0;
    static final int REG_CTRL_HUM = 0xF2;
    static final int REG_STATUS = 0xF3;
    static final int REG_CTRL_MEAS = 0xF4;
    static final int REG_CONFIG = 0xF5;
    static final int REG_DATA = 0xF7;
    static final int CHIP_ID = 0x60;
    static final int RESET_WORD = 0xB6;
    private static final int STATUS_MEASURING = 0x08;
    private static final int STATUS_IM_UPDATE = 0x01;
    private static final int ADC_SKIPPED_20BIT = 0x80000;
    private static final int ADC_SKIPPED_16BIT = 0x8000;

    private final SensorConfig.Bme280 config;
    private final I2cDevice device;
    private final Bme280Calibration calibration;
    private final int ctrlMeasForced;
    private final Duration maxMeasurementTime;
    private final Sleeper sleeper;

    /** Waits; tests replace it so that emulated conversions take no time. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper REAL = duration -> Thread.sleep(duration);
    }

    private Bme280Driver(SensorConfig.Bme280 config, I2cDevice device, Bme280Calibration calibration,
                         Sleeper sleeper) {
        this.config = config;
        this.device = device;
        this.calibration = calibration;
        this.ctrlMeasForced = ctrlMeas(config, 0b01);
        this.maxMeasurementTime = maxMeasurementTime(config);
        this.sleeper = sleeper;
    }

    public static Bme280Driver open(SensorConfig.Bme280 config, I2cDevice device) throws IOException {
        return open(config, device, Sleeper.REAL);
    }

    public static Bme280Driver open(SensorConfig.Bme280 config, I2cDevice device, Sleeper sleeper) throws IOException {
        String where = "BME280 '" + config.stream() + "' on I2C bus " + config.i2cBus() + " address 0x"
                + Integer.toHexString(config.address());
        int chipId = device.readRegister(REG_CHIP_ID);
        if (chipId != CHIP_ID) {
            throw new IOException(where + ": chip id 0x" + Integer.toHexString(chipId) + " is not a BME280 (0x60)"
                    + (chipId == 0x58 ? "; 0x58 is a BMP280, which has no humidity sensor" : ""));
        }
        device.writeRegister(REG_RESET, RESET_WORD);
        try {
            sleeper.sleep(Duration.ofMillis(2)); // start-up time after reset (datasheet table 1)
            int attempts = 0;
            while ((device.readRegister(REG_STATUS) & STATUS_IM_UPDATE) != 0) {
                if (++attempts > 50) {
                    throw new IOException(where + ": NVM copy did not finish after reset");
                }
                sleeper.sleep(Duration.ofMillis(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(where + ": interrupted during reset", e);
        }
        Bme280Calibration calibration = Bme280Calibration.decode(
                device.readRegisters(Bme280Calibration.BLOCK1_START, Bme280Calibration.BLOCK1_LENGTH),
                device.readRegisters(Bme280Calibration.BLOCK2_START, Bme280Calibration.BLOCK2_LENGTH));
        if (calibration.t1() == 0 || calibration.p1() == 0) {
            throw new IOException(where + ": calibration reads as zero (bus problem?)");
        }
        // ctrl_hum takes effect only after a write to ctrl_meas, so it goes first.
        device.writeRegister(REG_CTRL_HUM, oversamplingCode(config.humidityOversampling()));
        boolean normal = config.mode() == SensorConfig.Bme280Mode.NORMAL;
        device.writeRegister(REG_CONFIG, (normal ? standbyCode(config.period()) : 0) << 5
                | filterCode(config.filter()) << 2);
        device.writeRegister(REG_CTRL_MEAS, ctrlMeas(config, normal ? 0b11 : 0));
        return new Bme280Driver(config, device, calibration, sleeper);
    }

    @Override
    public List<Measurement> read() throws IOException {
        if (config.mode() == SensorConfig.Bme280Mode.FORCED) {
            device.writeRegister(REG_CTRL_MEAS, ctrlMeasForced);
            try {
                sleeper.sleep(maxMeasurementTime);
                int polls = 0;
                while ((device.readRegister(REG_STATUS) & STATUS_MEASURING) != 0) {
                    if (++polls > 20) {
                        throw new IOException("BME280 '" + config.stream() + "': measurement did not finish");
                    }
                    sleeper.sleep(Duration.ofMillis(1));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        byte[] d = device.readRegisters(REG_DATA, 8);
        int adcP = (d[0] & 0xFF) << 12 | (d[1] & 0xFF) << 4 | (d[2] & 0xFF) >> 4;
        int adcT = (d[3] & 0xFF) << 12 | (d[4] & 0xFF) << 4 | (d[5] & 0xFF) >> 4;
        int adcH = (d[6] & 0xFF) << 8 | (d[7] & 0xFF);
        if (adcT == ADC_SKIPPED_20BIT) {
            throw new IOException("BME280 '" + config.stream() + "': no temperature result (0x80000): the chip "
                    + "was reset or has not measured yet");
        }
        return compensate(adcT, adcP, adcH);
    }

    /** Turns raw ADC values into the measurements of the configured streams. */
    List<Measurement> compensate(int adcT, int adcP, int adcH) throws IOException {
        double fine = calibration.fineTemperature(adcT);
        List<Measurement> out = new ArrayList<>(3);
        out.add(Measurement.sample(config.temperatureStream(), Bme280Calibration.temperature(fine), "°C"));
        if (config.pressureOversampling() > 0) {
            if (adcP == ADC_SKIPPED_20BIT) {
                throw new IOException("BME280 '" + config.stream() + "': no pressure result");
            }
            out.add(Measurement.sample(config.pressureStream(), calibration.pressure(adcP, fine), "Pa"));
        }
        if (config.humidityOversampling() > 0) {
            if (adcH == ADC_SKIPPED_16BIT) {
                throw new IOException("BME280 '" + config.stream() + "': no humidity result");
            }
            out.add(Measurement.sample(config.humidityStream(), calibration.humidity(adcH, fine), "%RH"));
        }
        return out;
    }

    static int ctrlMeas(SensorConfig.Bme280 config, int mode) {
        return oversamplingCode(config.temperatureOversampling()) << 5
                | oversamplingCode(config.pressureOversampling()) << 2 | mode;
    }

    /** 0 (skipped), 1, 2, 4, 8, 16 to the register code 0..5. */
    static int oversamplingCode(int oversampling) {
        return oversampling == 0 ? 0 : Integer.numberOfTrailingZeros(oversampling) + 1;
    }

    /** IIR coefficient 0 (off), 2, 4, 8, 16 to the register code 0..4. */
    static int filterCode(int coefficient) {
        return coefficient == 0 ? 0 : Integer.numberOfTrailingZeros(coefficient);
    }

    /** The longest normal-mode standby (t_sb) not longer than the period, so every sample sees a fresh result. */
    static int standbyCode(Duration period) {
        long micros = period.toNanos() / 1000;
        int[][] standby = {{0, 500}, {6, 10_000}, {7, 20_000}, {1, 62_500}, {2, 125_000}, {3, 250_000},
                {4, 500_000}, {5, 1_000_000}};
        int code = 0;
        for (int[] s : standby) {
            if (s[1] <= micros / 2) {
                code = s[0];
            }
        }
        return code;
    }

    /** Datasheet section 9.1: t_measure,max = 1.25 + 2.3·osrs_t + (2.3·osrs_p + 0.575) + (2.3·osrs_h + 0.575) ms. */
    static Duration maxMeasurementTime(SensorConfig.Bme280 config) {
        double ms = 1.25 + 2.3 * config.temperatureOversampling();
        if (config.pressureOversampling() > 0) {
            ms += 2.3 * config.pressureOversampling() + 0.575;
        }
        if (config.humidityOversampling() > 0) {
            ms += 2.3 * config.humidityOversampling() + 0.575;
        }
        return Duration.ofNanos((long) Math.ceil(ms * 1_000_000));
    }
}
