package dev.edgeline.agent.bus;

import java.io.IOException;

/** One chip select on an SPI bus. */
public interface SpiDevice {

    /** Full-duplex transfer: clocks out {@code tx} and returns the bytes clocked in at the same time. */
    byte[] transfer(byte[] tx) throws IOException;
}
