package dev.edgeline.agent.bus;

import java.io.IOException;

/** A GPIO pin configured as an output (a relay, a valve). */
public interface DigitalOutputPin {

    /** Drives the pin: true for high. */
    void set(boolean high) throws IOException;

    /** The level the pin is driven to: true for high. */
    boolean level() throws IOException;
}
