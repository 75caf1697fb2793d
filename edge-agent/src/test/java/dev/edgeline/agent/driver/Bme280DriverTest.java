package dev.edgeline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class Bme280DriverTest {
    private static final Bme280Driver.Sleeper NO_WAIT = d -> { };

    /** The trimming values of Bosch's worked example (BMP280 datasheet BST-BMP280-DS001, section 3.12, table 16). */
    static Bme280Emulator datasheetExample() {
        return new Bme280Emulator().calibration(27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500,
                -14600, 6000, 75, 362, 0, 313, 50, 30).raw(519888, 415148, 0x6A5E);
    }

    static SensorConfig.Bme280 config(SensorConfig.Bme280Mode mode, int osrsH) {
        return new SensorConfig.Bme280("env", Duration.ofSeconds(1), 1, 0x76, mode, 2, 16, osrsH, 4);
    }

    private static Bme280Calibration exampleCalibration() {
        Bme280Emulator chip = datasheetExample();
        return Bme280Calibration.decode(chip.registersBlock(0x88, 26), chip.registersBlock(0xE1, 7));
    }

    @Test
    void datasheetWorkedExample_temperatureAndPressure() {
        Bme280Calibration c = exampleCalibration();
        double fine = c.fineTemperature(519888);
        assertThat((int) fine).isEqualTo(128422);                                   // t_fine = 128422
        assertThat(Bme280Calibration.temperature(fine)).isCloseTo(25.08, within(0.005)); // T = 25.08 °C
        assertThat(c.pressure(415148, fine)).isCloseTo(100653.27, within(0.005));    // p = 100653.27 Pa
        // The fixed-point reference formulas give the same example within their resolution.
        int fineInt = ReferenceCompensation.fineTemperature(c, 519888);
        assertThat(fineInt).isEqualTo(128422);
        assertThat(ReferenceCompensation.temperatureCentiCelsius(fineInt)).isEqualTo(2508);
        assertThat(ReferenceCompensation.pressureQ24_8(c, 415148, fineInt) / 256.0).isCloseTo(100653.27, within(0.02));
    }

    @Test
    void allThreeQuantities_matchBoschsFixedPointReference_acrossTheRange() {
        Bme280Calibration c = exampleCalibration();
        int checkedHumidity = 0;
        for (int adcT = 400000; adcT <= 600000; adcT += 20000) {
            double fine = c.fineTemperature(adcT);
            int fineInt = ReferenceCompensation.fineTemperature(c, adcT);
            assertThat(Bme280Calibration.temperature(fine)).as("adcT=%d", adcT)
                    .isCloseTo(ReferenceCompensation.temperatureCentiCelsius(fineInt) / 100.0, within(0.01));
            for (int adcP = 250000; adcP <= 500000; adcP += 25000) {
                double reference = ReferenceCompensation.pressureQ24_8(c, adcP, fineInt) / 256.0;
                if (reference < 30000 || reference > 110000) {
                    continue;
                }
                assertThat(c.pressure(adcP, fine)).as("adcT=%d adcP=%d", adcT, adcP).isCloseTo(reference, within(0.18)); // documented resolution at 16x
            }
            for (int adcH = 20000; adcH <= 40000; adcH += 1000) {
                double reference = ReferenceCompensation.humidityQ22_10(c, adcH, fineInt) / 1024.0;
                if (reference <= 0 || reference >= 100) {
                    continue;
                }
                checkedHumidity++;
                assertThat(c.humidity(adcH, fine)).as("adcT=%d adcH=%d", adcT, adcH)
                        .isCloseTo(reference, within(0.008)); // the BME280's documented resolution, 0.008 %RH
            }
        }
        assertThat(checkedHumidity).isGreaterThan(50);
    }

    @Test
    void forcedMode_configuresTheChip_andMeasuresOncePerRead() throws IOException {
        Bme280Emulator chip = datasheetExample();
        Bme280Driver driver = Bme280Driver.open(config(SensorConfig.Bme280Mode.FORCED, 1), chip, NO_WAIT);
        assertThat(chip.writes).extracting(w -> w[0]).containsExactly(0xE0, 0xF2, 0xF5, 0xF4);
        assertThat(chip.writes.get(1)[1]).isEqualTo(0b001);             // osrs_h x1
        assertThat(chip.writes.get(2)[1]).isEqualTo(0b010 << 2);        // filter 4, no standby in forced mode
        assertThat(chip.writes.get(3)[1]).isEqualTo(0b010 << 5 | 0b101 << 2); // osrs_t x2, osrs_p x16, sleep

        List<Measurement> first = driver.read();
        List<Measurement> second = driver.read();
        assertThat(chip.forcedMeasurements).isEqualTo(2);
        assertThat(chip.latchedCtrlHum).isEqualTo(1);
        assertThat(first).extracting(Measurement::stream)
                .containsExactly("env-temperature", "env-pressure", "env-humidity");
        assertThat(first.get(0).value()).isCloseTo(25.08, within(0.005));
        assertThat(first.get(0).unit()).isEqualTo("°C");
        assertThat(first.get(1).value()).isCloseTo(100653.27, within(0.01));
        assertThat(first.get(1).unit()).isEqualTo("Pa");
        assertThat(first.get(2).unit()).isEqualTo("%RH");
        assertThat(first.get(2).value()).isBetween(0.0, 100.0);
        assertThat(second).isEqualTo(first);
    }

    @Test
    void normalMode_startsFreeRunning_andReadsWithoutTriggering() throws IOException {
        Bme280Emulator chip = datasheetExample();
        Bme280Driver driver = Bme280Driver.open(config(SensorConfig.Bme280Mode.NORMAL, 1), chip, NO_WAIT);
        assertThat(chip.writes.getLast()[1] & 0x03).isEqualTo(0b11);
        assertThat(chip.writes.get(2)[1] >> 5).as("standby 500 ms for a 1 s period").isEqualTo(0b100);
        int writesAfterOpen = chip.writes.size();
        assertThat(driver.read().getFirst().value()).isCloseTo(25.08, within(0.005));
        assertThat(chip.writes).hasSize(writesAfterOpen);
    }

    @Test
    void humiditySkipped_publishesNoHumidityStream() throws IOException {
        Bme280Driver driver = Bme280Driver.open(config(SensorConfig.Bme280Mode.FORCED, 0), datasheetExample(), NO_WAIT);
        assertThat(driver.read()).extracting(Measurement::stream).containsExactly("env-temperature", "env-pressure");
    }

    @Test
    void aBmp280_isRefusedAtOpen_withWhatItIs() {
        Bme280Emulator chip = datasheetExample();
        chip.chipId = 0x58;
        assertThatThrownBy(() -> Bme280Driver.open(config(SensorConfig.Bme280Mode.FORCED, 1), chip, NO_WAIT))
                .isInstanceOf(IOException.class)
                .hasMessage("BME280 'env' on I2C bus 1 address 0x76: chip id 0x58 is not a BME280 (0x60); 0x58 is a "
                        + "BMP280, which has no humidity sensor");
    }

    @Test
    void aBusError_surfacesAsIOException_andTheNextReadWorks() throws IOException {
        Bme280Emulator chip = datasheetExample();
        Bme280Driver driver = Bme280Driver.open(config(SensorConfig.Bme280Mode.FORCED, 1), chip, NO_WAIT);
        chip.failNext = new IOException("Remote I/O error");
        assertThatThrownBy(driver::read).isInstanceOf(IOException.class).hasMessageContaining("Remote I/O error");
        assertThat(driver.read()).hasSize(3);
    }

    @Test
    void calibrationDecode_handlesTheNibblePackedHumidityWords_andSignedValues() {
        Bme280Emulator chip = new Bme280Emulator().calibration(1, -2, 3, 4, -5, 6, -7, 8, -9, 10, -11, 12,
                200, -300, 17, -1000, -2000, -40);
        Bme280Calibration c = Bme280Calibration.decode(chip.registersBlock(0x88, 26), chip.registersBlock(0xE1, 7));
        assertThat(c).isEqualTo(new Bme280Calibration(1, -2, 3, 4, -5, 6, -7, 8, -9, 10, -11, 12,
                200, -300, 17, -1000, -2000, -40));
    }

    @Test
    void measurementTime_followsTheDatasheetFormula() {
        // 1.25 + 2.3*2 + (2.3*16 + 0.575) + (2.3*1 + 0.575) = 46.1 ms
        assertThat(Bme280Driver.maxMeasurementTime(config(SensorConfig.Bme280Mode.FORCED, 1)))
                .isEqualTo(Duration.ofNanos(46_100_000));
    }
}
