package dev.edgeline.agent.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import com.pi4j.plugin.mock.provider.i2c.MockI2C;
import com.pi4j.plugin.mock.provider.i2c.MockI2CProvider;
import dev.edgeline.agent.bus.pi4j.Pi4jBuses;
import dev.edgeline.agent.driver.Bme280Driver;
import dev.edgeline.agent.driver.DigitalInputDriver;
import dev.edgeline.agent.driver.DigitalOutputDriver;
import dev.edgeline.agent.driver.Measurement;
import dev.edgeline.agent.driver.Mcp3008Driver;
import dev.edgeline.agent.driver.Mcp3008DriverTest;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Pi4J adapter through a real Pi4J context (core 4.0.2) with Pi4J's mock providers (plugin 3.0.3), added
 * explicitly as production adds the Linux ones. Pi4J's mock I2C keeps a FIFO queue per register (a write appends,
 * a read takes), its mock SPI hands out prepared bytes and records what was clocked out, and its mock input fires
 * listeners when the test sets its state.
 */
class Pi4jBusesTest {
    @TempDir
    Path w1;
    private Pi4jBuses buses;

    private final Mcp3008DriverTest.Emulator adc = new Mcp3008DriverTest.Emulator();
    private final FakeSpiProvider spi = new FakeSpiProvider(adc::transfer);

    @BeforeEach
    void context() {
        buses = new Pi4jBuses(List.of(MockI2CProvider.newInstance(), spi, MockDigitalInputProvider.newInstance(),
                MockDigitalOutputProvider.newInstance()), w1);
    }

    @AfterEach
    void close() {
        buses.close();
    }

    @Test
    void bme280_throughPi4jI2c_reproducesTheDatasheetExample_andItsRegisterWritesReachTheBus() throws IOException {
        SensorConfig.Bme280 config = new SensorConfig.Bme280("env", Duration.ofSeconds(1), 1, 0x76,
                SensorConfig.Bme280Mode.FORCED, 1, 1, 1, 0);
        I2cDevice device = buses.i2c(1, 0x76);
        MockI2C mock = buses.pi4j().io("i2c-1-0x76");
        mock.writeRegister(0xD0, (byte) 0x60);                          // chip id
        mock.writeRegister(0xF3, new byte[] {0, 0}, 0, 2);              // status after reset, after measuring
        mock.writeRegister(0x88, calibrationBlock1(), 0, 26);
        mock.writeRegister(0xE1, new byte[] {0x6A, 0x01, 0, 0x13, 0x29, 0x03, 0x1E}, 0, 7);
        // adc_P = 415148 (0x655AC), adc_T = 519888 (0x7EED0), adc_H = 0x6A5E
        mock.writeRegister(0xF7, new byte[] {0x65, 0x5A, (byte) 0xC0, 0x7E, (byte) 0xED, 0x00, 0x6A, 0x5E}, 0, 8);

        Bme280Driver driver = Bme280Driver.open(config, device, d -> { });
        List<Measurement> values = driver.read();

        assertThat(values.get(0).value()).isCloseTo(25.08, within(0.005));
        assertThat(values.get(1).value()).isCloseTo(100653.27, within(0.005));
        assertThat(mock.readRegister(0xE0)).as("soft reset word").isEqualTo(0xB6 - 256);
        assertThat(mock.readRegister(0xF2)).as("ctrl_hum: humidity x1").isEqualTo(0b001);
        assertThat(mock.readRegister(0xF4)).as("ctrl_meas at open: x1, x1, sleep").isEqualTo(0b001_001_00);
        assertThat(mock.readRegister(0xF4)).as("ctrl_meas per read: forced").isEqualTo(0b001_001_01);
    }

    @Test
    void anEmptyRegister_isAnIOExceptionNamingTheDevice() throws IOException {
        I2cDevice device = buses.i2c(1, 0x77);
        assertThatThrownBy(() -> device.readRegisters(0xD0, 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("i2c-1-0x77");
    }

    @Test
    void mcp3008_throughPi4jSpi_configuresTheBus_andReadsTheChannel() throws IOException {
        SpiDevice device = buses.spi(0, 1, 1_350_000);
        adc.codes[6] = 677;
        Measurement m = new Mcp3008Driver(new SensorConfig.Mcp3008("tank", Duration.ofMillis(100), 0, 1, 6, 3.3,
                1_350_000), device).read().getFirst();
        assertThat(m.value()).isCloseTo(677 * 3.3 / 1024, within(1e-12));
        assertThat(adc.lastChannel).isEqualTo(6);
        assertThat(spi.lastConfig.baud()).isEqualTo(1_350_000);
        assertThat(spi.lastConfig.channel()).isEqualTo(1);
        assertThat(spi.lastConfig.mode().getMode()).isZero();
        assertThat(buses.pi4j().hasIO("spi-0-1")).isTrue();
    }

    @Test
    void digitalInput_throughPi4jGpio_debouncesEdgesIntoEvents() throws Exception {
        DigitalInputPin pin = buses.digitalInput(17, SensorConfig.Pull.UP);
        MockDigitalInput mock = buses.pi4j().io("gpio-17");
        mock.mockState(DigitalState.LOW);
        DigitalInputDriver driver = new DigitalInputDriver(new SensorConfig.DigitalInput("door", Duration.ofSeconds(1),
                17, SensorConfig.Pull.UP, Duration.ofMillis(15)), pin);
        List<Measurement> events = new CopyOnWriteArrayList<>();
        driver.startEvents(events::add);
        for (int i = 0; i < 9; i++) {
            mock.mockState(i % 2 == 0 ? DigitalState.HIGH : DigitalState.LOW);
        }
        TimeUnit.MILLISECONDS.sleep(150);
        assertThat(events).containsExactly(new Measurement("door", 1, "", true));
        assertThat(driver.read()).containsExactly(Measurement.sample("door", 1, ""));
        driver.close();
    }

    @Test
    void digitalOutput_throughPi4jGpio_opensAtItsSafeState_switches_andPublishesEachChangeOnce() throws Exception {
        SensorConfig.DigitalOutput relay = new SensorConfig.DigitalOutput("relay", Duration.ofSeconds(1), 23, true);
        DigitalOutputDriver driver = new DigitalOutputDriver(relay, buses.digitalOutput(23, relay.safeHigh()));
        MockDigitalOutput mock = buses.pi4j().io("gpio-23");
        assertThat(mock.state()).as("opened at the safe state").isEqualTo(DigitalState.HIGH);
        List<Measurement> events = new CopyOnWriteArrayList<>();
        driver.startEvents(events::add);

        assertThat(driver.set(false)).as("level before").isTrue();
        assertThat(mock.state()).isEqualTo(DigitalState.LOW);
        assertThat(driver.read()).containsExactly(Measurement.sample("relay", 0, ""));
        driver.set(false); // no change: no event
        assertThat(driver.toSafeState()).isFalse();
        assertThat(mock.state()).isEqualTo(DigitalState.HIGH);
        assertThat(events).containsExactly(new Measurement("relay", 0, "", true), new Measurement("relay", 1, "", true));
    }

    @Test
    void onADeviceWithoutTheBus_startFailsNamingTheMissingFile(@TempDir Path dev) {
        SensorConfig.Bme280 bme = new SensorConfig.Bme280("env", Duration.ofSeconds(1), 1, 0x76,
                SensorConfig.Bme280Mode.FORCED, 1, 1, 1, 0);
        assertThatThrownBy(() -> Pi4jBuses.forDevice(List.of(bme), w1, dev)).isInstanceOf(NoSuchFileException.class)
                .hasMessage(dev.resolve("i2c-1") + ": sensor 'env' (bme280) needs I2C bus 1: enable it with "
                        + "dtparam=i2c_arm=on in config.txt and load i2c-dev");
        SensorConfig.Ds18b20 probe = new SensorConfig.Ds18b20("probe", Duration.ofSeconds(2), "28-0316a2799aff", 4);
        assertThatThrownBy(() -> Pi4jBuses.forDevice(List.of(probe), w1, dev))
                .hasMessageContaining("28-0316a2799aff/w1_slave")
                .hasMessageContaining("dtoverlay=w1-gpio,gpiopin=4");
    }

    private static byte[] calibrationBlock1() {
        int[] words = {27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000};
        byte[] block = new byte[26];
        for (int i = 0; i < words.length; i++) {
            block[2 * i] = (byte) words[i];
            block[2 * i + 1] = (byte) (words[i] >> 8);
        }
        block[25] = 75; // dig_H1
        return block;
    }
}
