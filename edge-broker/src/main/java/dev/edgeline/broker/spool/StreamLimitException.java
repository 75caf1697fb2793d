package dev.edgeline.broker.spool;

/**
 * An append refused because it would start a new stream beyond {@code spool.max-streams} or
 * {@code spool.max-streams-per-device}. The publisher gets the reason (MQTT 5: 0x97 quota exceeded); records of
 * streams that exist already are not affected.
 */
public final class StreamLimitException extends SpoolException {
    private static final long serialVersionUID = 1L;
    private final String device;

    public StreamLimitException(String device, String message) {
        super(message);
        this.device = device;
    }

    /** The device whose new stream was refused. */
    public String device() {
        return device;
    }
}
