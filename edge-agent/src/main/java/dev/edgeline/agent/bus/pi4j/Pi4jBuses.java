package dev.edgeline.agent.bus.pi4j;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.io.i2c.I2C;
import com.pi4j.io.i2c.I2CConfigBuilder;
import com.pi4j.io.spi.Spi;
import com.pi4j.io.spi.SpiConfigBuilder;
import com.pi4j.io.spi.SpiMode;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalInputProvider;
import com.pi4j.plugin.gpiod.provider.gpio.digital.GpioDDigitalOutputProvider;
import com.pi4j.plugin.linuxfs.provider.i2c.LinuxFsI2CProvider;
import com.pi4j.plugin.linuxfs.provider.spi.LinuxFsSpiProvider;
import com.pi4j.provider.Provider;
import dev.edgeline.agent.bus.Buses;
import dev.edgeline.agent.bus.DigitalInputPin;
import dev.edgeline.agent.bus.DigitalOutputPin;
import dev.edgeline.agent.bus.I2cDevice;
import dev.edgeline.agent.bus.OneWireDevice;
import dev.edgeline.agent.bus.SpiDevice;
import dev.edgeline.agent.bus.SysfsOneWire;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bus port implemented with Pi4J. The Pi4J context is built here, once, with exactly the providers it is given
 * (no classpath or platform auto-detection): on a device {@link #forDevice} adds Pi4J's Linux file-system I2C and SPI
 * providers and the libgpiod digital input and output providers; tests pass Pi4J's mock providers.
 *
 * <p>Before opening anything on a device, {@link #forDevice} checks that the device files exist, so a missing bus
 * fails at start with the file's name and what enables it. 1-Wire goes through {@link SysfsOneWire} (the kernel's w1
 * driver). Transactions on one I2C or SPI bus are serialised by a lock per bus. Thread-safe.
 */
public final class Pi4jBuses implements Buses {
    private static final Logger LOG = LoggerFactory.getLogger(Pi4jBuses.class);

    private final Context pi4j;
    private final SysfsOneWire oneWire;
    private final Map<String, Object> busLocks = new ConcurrentHashMap<>();

    /** A context with exactly {@code providers}; 1-Wire devices are looked up under {@code oneWireDirectory}. */
    public Pi4jBuses(List<Provider> providers, Path oneWireDirectory) {
        this.pi4j = Pi4J.newContextBuilder().noAutoDetect().add(providers.toArray(Provider[]::new)).build();
        this.oneWire = new SysfsOneWire(oneWireDirectory);
    }

    /**
     * The buses of a real device for these sensors: checks every device file they need, then builds the context
     * with the Linux providers.
     *
     * @throws IOException naming the first missing bus or device file and how to enable it
     */
    public static Pi4jBuses forDevice(List<SensorConfig> sensors, Path oneWireDirectory, Path devDirectory)
            throws IOException {
        for (SensorConfig sensor : sensors) {
            requireDeviceFiles(sensor, oneWireDirectory, devDirectory);
        }
        return new Pi4jBuses(List.of(LinuxFsI2CProvider.newInstance(), LinuxFsSpiProvider.newInstance(),
                GpioDDigitalInputProvider.newInstance(), GpioDDigitalOutputProvider.newInstance()), oneWireDirectory);
    }

    private static void requireDeviceFiles(SensorConfig sensor, Path oneWireDirectory, Path dev)
            throws NoSuchFileException {
        String who = "sensor '" + sensor.stream() + "' (" + sensor.type() + ")";
        switch (sensor) {
            case SensorConfig.Bme280 b -> require(dev.resolve("i2c-" + b.i2cBus()), who + " needs I2C bus "
                    + b.i2cBus() + ": enable it with dtparam=i2c_arm=on in config.txt and load i2c-dev");
            case SensorConfig.Mcp3008 a -> require(dev.resolve("spidev" + a.spiBus() + "." + a.chipSelect()),
                    who + " needs SPI bus " + a.spiBus() + " chip select " + a.chipSelect()
                            + ": enable it with dtparam=spi=on in config.txt");
            case SensorConfig.DigitalInput d -> require(dev.resolve("gpiochip0"), who + " needs GPIO " + d.pin()
                    + " through the GPIO character device");
            case SensorConfig.DigitalOutput o -> require(dev.resolve("gpiochip0"), who + " needs GPIO " + o.pin()
                    + " through the GPIO character device");
            case SensorConfig.Ds18b20 d -> require(oneWireDirectory.resolve(d.deviceId()).resolve("w1_slave"),
                    who + " needs 1-Wire device " + d.deviceId() + ": enable dtoverlay=w1-gpio,gpiopin="
                            + d.gpioPin() + " in config.txt and check the probe's wiring and id");
            case SensorConfig.SimulatedAnalog ignored -> { }
            case SensorConfig.SimulatedDigital ignored -> { }
        }
    }

    private static void require(Path file, String why) throws NoSuchFileException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, why);
        }
    }

    /** The Pi4J context, for diagnostics and tests (which reach the mock providers' devices through it). */
    public Context pi4j() {
        return pi4j;
    }

    @Override
    public I2cDevice i2c(int bus, int address) throws IOException {
        I2C device = open(() -> pi4j.create(I2CConfigBuilder.newInstance(pi4j)
                .id("i2c-" + bus + "-0x" + Integer.toHexString(address)).bus(bus).device(address).build()),
                "I2C bus " + bus + " address 0x" + Integer.toHexString(address));
        Object lock = busLocks.computeIfAbsent("i2c-" + bus, k -> new Object());
        return new I2cDevice() {
            @Override
            public byte[] readRegisters(int register, int length) throws IOException {
                byte[] buffer = new byte[length];
                int read;
                synchronized (lock) {
                    read = io(() -> device.readRegister(register, buffer, 0, length), device.id());
                }
                if (read != length) {
                    throw new IOException(device.id() + ": read " + read + " of " + length + " bytes from register 0x"
                            + Integer.toHexString(register));
                }
                return buffer;
            }

            @Override
            public void writeRegister(int register, int value) throws IOException {
                synchronized (lock) {
                    io(() -> device.writeRegister(register, (byte) value), device.id());
                }
            }
        };
    }

    @Override
    public SpiDevice spi(int bus, int chipSelect, int speedHz) throws IOException {
        Spi device = open(() -> pi4j.create(SpiConfigBuilder.newInstance(pi4j)
                .id("spi-" + bus + "-" + chipSelect).bus(bus).channel(chipSelect).baud(speedHz).mode(SpiMode.MODE_0)
                .build()), "SPI bus " + bus + " chip select " + chipSelect);
        Object lock = busLocks.computeIfAbsent("spi-" + bus, k -> new Object());
        return tx -> {
            byte[] rx = new byte[tx.length];
            synchronized (lock) {
                io(() -> device.transfer(tx, 0, rx, 0, tx.length), device.id());
            }
            return rx;
        };
    }

    @Override
    public DigitalInputPin digitalInput(int pin, SensorConfig.Pull pull) throws IOException {
        DigitalInput input = open(() -> pi4j.create(DigitalInputConfigBuilder.newInstance(pi4j)
                .id("gpio-" + pin).bcm(pin).pull(switch (pull) {
                    case UP -> PullResistance.PULL_UP;
                    case DOWN -> PullResistance.PULL_DOWN;
                    case NONE -> PullResistance.OFF;
                }).debounce(0L).build()), "GPIO " + pin);
        return new DigitalInputPin() {
            @Override
            public boolean level() throws IOException {
                return io(() -> input.state() == DigitalState.HIGH ? 1 : 0, input.id()) == 1;
            }

            @Override
            public void onEdge(EdgeListener listener) {
                input.addListener(event -> listener.edge(event.state() == DigitalState.HIGH, System.nanoTime()));
            }
        };
    }

    @Override
    public DigitalOutputPin digitalOutput(int pin, boolean initialHigh) throws IOException {
        DigitalState initial = initialHigh ? DigitalState.HIGH : DigitalState.LOW;
        DigitalOutput output = open(() -> pi4j.create(DigitalOutputConfigBuilder.newInstance(pi4j)
                .id("gpio-" + pin).bcm(pin).initial(initial).shutdown(initial).build()), "GPIO " + pin);
        return new DigitalOutputPin() {
            @Override
            public void set(boolean high) throws IOException {
                io(() -> {
                    output.state(high ? DigitalState.HIGH : DigitalState.LOW);
                    return 0;
                }, output.id());
            }

            @Override
            public boolean level() throws IOException {
                return io(() -> output.state() == DigitalState.HIGH ? 1 : 0, output.id()) == 1;
            }
        };
    }

    @Override
    public OneWireDevice oneWire(String deviceId) throws IOException {
        return oneWire.open(deviceId);
    }

    @Override
    public void close() {
        try {
            pi4j.shutdown();
        } catch (RuntimeException e) {
            LOG.warn("Pi4J shutdown failed: {}", e.toString());
        }
    }

    /** Pi4J reports failures as unchecked exceptions; the port speaks {@link IOException}. */
    private interface Pi4jCall<T> {
        T call();
    }

    private static <T> T open(Pi4jCall<T> call, String what) throws IOException {
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw new IOException("cannot open " + what + " through Pi4J: " + e.getMessage(), e);
        }
    }

    private static int io(Pi4jCall<Integer> call, String id) throws IOException {
        try {
            int result = call.call();
            if (result < 0) {
                throw new IOException(id + ": bus transaction failed (" + result + ")");
            }
            return result;
        } catch (RuntimeException e) {
            throw new IOException(id + ": " + e.getMessage(), e);
        }
    }
}
