package dev.edgeline.agent.bus;

import com.pi4j.io.spi.Spi;
import com.pi4j.io.spi.SpiBase;
import com.pi4j.io.spi.SpiConfig;
import com.pi4j.io.spi.SpiProvider;
import com.pi4j.io.spi.SpiProviderBase;
import java.util.function.UnaryOperator;

/**
 * A Pi4J SPI provider whose devices answer through a chip emulator. Pi4J's mock SPI provider 3.0.3 cannot be used
 * with core 4.0.2 (its constructor calls {@code SpiConfig.address()}, which 4.x removed), so the adapter's SPI path
 * is exercised through this provider instead: a real Pi4J context creates the device from the adapter's
 * {@link SpiConfig}, and every transfer goes through Pi4J's {@link Spi} interface.
 */
final class FakeSpiProvider extends SpiProviderBase {
    private final UnaryOperator<byte[]> chip;
    volatile SpiConfig lastConfig;

    FakeSpiProvider(UnaryOperator<byte[]> chip) {
        super("fake-spi", "Fake SPI Provider (chip emulator)");
        this.chip = chip;
    }

    @Override
    public Spi create(SpiConfig config) {
        lastConfig = config;
        FakeSpi spi = new FakeSpi(this, config);
        context.registry().add(spi);
        return spi;
    }

    private final class FakeSpi extends SpiBase {
        FakeSpi(SpiProvider provider, SpiConfig config) {
            super(provider, config);
        }

        @Override
        public int transfer(byte[] write, int writeOffset, byte[] read, int readOffset, int numberOfBytes) {
            byte[] tx = java.util.Arrays.copyOfRange(write, writeOffset, writeOffset + numberOfBytes);
            byte[] rx = chip.apply(tx);
            System.arraycopy(rx, 0, read, readOffset, numberOfBytes);
            return numberOfBytes;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("transfer only");
        }

        @Override
        public int write(byte b) {
            throw new UnsupportedOperationException("transfer only");
        }
    }
}
