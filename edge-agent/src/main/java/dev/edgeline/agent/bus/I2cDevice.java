package dev.edgeline.agent.bus;

import java.io.IOException;

/** One device at one address on an I2C bus. Implementations serialise transactions on their bus. */
public interface I2cDevice {

    /** Reads {@code length} consecutive registers starting at {@code register} in one transaction. */
    byte[] readRegisters(int register, int length) throws IOException;

    /** Writes one register. */
    void writeRegister(int register, int value) throws IOException;

    /** Reads one register (0..255). */
    default int readRegister(int register) throws IOException {
        return readRegisters(register, 1)[0] & 0xFF;
    }
}
