package dev.edgeline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.agent.bus.OneWireDevice;
import dev.edgeline.agent.bus.SysfsOneWire;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against w1_slave files as the kernel's w1_therm driver writes them, through the sysfs 1-Wire adapter. */
class Ds18b20DriverTest {
    private static final String ID = "28-0316a2799aff";
    private static final SensorConfig.Ds18b20 CONFIG = new SensorConfig.Ds18b20("probe", Duration.ofSeconds(2), ID, 4);

    /** 23.125 °C, as printed in countless Raspberry Pi tutorials. */
    static final String ROOM = "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n";
    /** The power-on reset value: 85 °C, the probe never converted. */
    static final String POWER_ON = "50 05 4b 46 7f ff 0c 10 1c : crc=1c YES\n50 05 4b 46 7f ff 0c 10 1c t=85000\n";
    /** A disturbed read: the kernel's CRC check failed. */
    static final String CRC_FAILED = "72 01 4b 46 7f ff 0e 10 58 : crc=57 NO\n72 01 4b 46 7f ff 0e 10 58 t=23125\n";
    /** -10.125 °C (0xff5e), a negative reading in two's complement. */
    static final String FREEZER = "5e ff 4b 46 7f ff 02 10 " + hex(crcOf("5e ff 4b 46 7f ff 02 10")) + " : crc="
            + hex(crcOf("5e ff 4b 46 7f ff 02 10")) + " YES\n5e ff 4b 46 7f ff 02 10 "
            + hex(crcOf("5e ff 4b 46 7f ff 02 10")) + " t=-10125\n";
    /** What some kernels report with the data line open: all zeros, whose CRC happens to be right. */
    static final String NOTHING_ON_THE_LINE = "00 00 00 00 00 00 00 00 00 : crc=00 YES\n00 00 00 00 00 00 00 00 00 t=0\n";

    @TempDir
    Path w1;

    private Ds18b20Driver driver(String text) throws IOException {
        Path dir = Files.createDirectories(w1.resolve(ID));
        Files.writeString(dir.resolve("w1_slave"), text);
        OneWireDevice device = new SysfsOneWire(w1).open(ID);
        return new Ds18b20Driver(CONFIG, device);
    }

    @Test
    void roomTemperature() throws IOException {
        assertThat(driver(ROOM).read()).containsExactly(Measurement.sample("probe", 23.125, "°C"));
    }

    @Test
    void negativeTemperature() throws IOException {
        assertThat(driver(FREEZER).read()).containsExactly(Measurement.sample("probe", -10.125, "°C"));
    }

    @Test
    void ourCrc_agreesWithTheKernelsOnRealScratchpads() {
        assertThat(crcOf("72 01 4b 46 7f ff 0e 10")).isEqualTo(0x57);
        assertThat(crcOf("50 05 4b 46 7f ff 0c 10")).isEqualTo(0x1c);
    }

    @Test
    void crcFailure_isAnError_notAValue() throws IOException {
        Ds18b20Driver driver = driver(CRC_FAILED);
        assertThatThrownBy(driver::read).isInstanceOf(IOException.class)
                .hasMessageStartingWith(ID + ": CRC check failed (kernel: '72 01 4b 46 7f ff 0e 10 58 : crc=57 NO')");
    }

    @Test
    void powerOnValue85_isAnError_notAHeatwave() throws IOException {
        Ds18b20Driver driver = driver(POWER_ON);
        assertThatThrownBy(driver::read).isInstanceOf(IOException.class).hasMessageContaining("85 °C power-on value");
    }

    @Test
    void allZeroScratchpad_isADisconnectedProbe() throws IOException {
        Ds18b20Driver driver = driver(NOTHING_ON_THE_LINE);
        assertThatThrownBy(driver::read).isInstanceOf(IOException.class).hasMessageContaining("disconnected?");
    }

    @Test
    void missingDevice_failsAtOpen_namingTheFile() {
        assertThatThrownBy(() -> new SysfsOneWire(w1).open(ID)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(w1.resolve(ID).resolve("w1_slave").toString())
                .hasMessageContaining("probe disconnected or wrong id?");
        assertThatThrownBy(() -> new SysfsOneWire(w1.resolve("nope")).open(ID))
                .hasMessageContaining("is the w1-gpio overlay enabled in config.txt?");
    }

    @Test
    void probeUnpluggedWhileRunning_isAnErrorOnThatRead() throws IOException {
        Ds18b20Driver driver = driver(ROOM);
        Files.delete(w1.resolve(ID).resolve("w1_slave"));
        assertThatThrownBy(driver::read).isInstanceOf(NoSuchFileException.class).hasMessageContaining("disappeared");
    }

    private static int crcOf(String hexBytes) {
        String[] parts = hexBytes.split(" ");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return W1SlaveReading.crc8(bytes, bytes.length);
    }

    private static String hex(int b) {
        return String.format("%02x", b);
    }
}
