package dev.edgeline.agent.driver;

/**
 * One value a driver produced for one of its streams.
 *
 * @param stream the stream it belongs to
 * @param value  the value, in {@code unit} (0/1 for digital levels)
 * @param unit   "" when it has none
 * @param event  true for an event (a debounced edge), false for a scheduled sample
 */
public record Measurement(String stream, double value, String unit, boolean event) {

    public static Measurement sample(String stream, double value, String unit) {
        return new Measurement(stream, value, unit, false);
    }
}
