package dev.edgeline.agent.driver;

import java.io.IOException;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads one sensor. {@link #read()} is called only on the sensor's own sampling thread, once per period; it may block
 * for a bus transaction or a conversion (a DS18B20 takes ~750 ms) but not longer. Throws {@link IOException} when the
 * sensor cannot be read this time; the scheduler retries with backoff.
 */
public interface SensorDriver extends AutoCloseable {

    /** One scheduled sample: a measurement per stream of the sensor. */
    List<Measurement> read() throws IOException;

    /** Starts delivering events (edges) to {@code events}, from any thread; drivers without events ignore it. */
    default void startEvents(Consumer<Measurement> events) {
    }

    @Override
    default void close() {
    }
}
