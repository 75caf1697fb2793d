package dev.edgeline.agent.bus;

import java.io.IOException;

/** A GPIO pin configured as an input. */
public interface DigitalInputPin {

    /** The current level: true for high. */
    boolean level() throws IOException;

    /**
     * Registers the listener told about every raw edge (not debounced), on the bus implementation's thread, with the
     * new level and {@link System#nanoTime()} when it was seen. One listener per pin.
     */
    void onEdge(EdgeListener listener);

    /** Told about a raw edge. Must be quick and must not block. */
    @FunctionalInterface
    interface EdgeListener {
        void edge(boolean level, long nanoTime);
    }
}
