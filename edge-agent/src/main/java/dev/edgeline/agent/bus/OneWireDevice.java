package dev.edgeline.agent.bus;

import java.io.IOException;

/** A 1-Wire device exposed by the kernel's w1 driver. */
public interface OneWireDevice {

    /** The device's {@code w1_slave} text; reading it makes the kernel run a conversion (a DS18B20 takes ~750 ms). */
    String readSlave() throws IOException;
}
