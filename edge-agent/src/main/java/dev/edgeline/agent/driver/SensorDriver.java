package dev.edgeline.agent.driver;

import java.io.IOException;

/**
 * Reads one sensor. Called only on the agent's sampling thread, once per period; must not block for longer than a
 * bus transaction. Throws {@link IOException} when the sensor cannot be read this time.
 */
public interface SensorDriver {
    Sample read() throws IOException;
}
