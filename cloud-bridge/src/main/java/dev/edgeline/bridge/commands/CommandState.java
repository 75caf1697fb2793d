package dev.edgeline.bridge.commands;

/**
 * How a command ended. Every command the device accepted or refused ends in exactly one of these (its result record):
 * {@link #DELIVERED} for a command that asks for no response once a subscriber acknowledged it; {@link #COMPLETED}
 * with the responder's payload; {@link #REJECTED} by the responder, or by the device (queue full, unknown target);
 * {@link #EXPIRED} when its time to live ran out before delivery or response; {@link #FAILED} when it could not be
 * delivered at all.
 */
public enum CommandState {
    DELIVERED("delivered"), COMPLETED("completed"), REJECTED("rejected"), EXPIRED("expired"), FAILED("failed");

    private final String label;

    CommandState(String label) {
        this.label = label;
    }

    /** The name in result records and logs. */
    public String label() {
        return label;
    }

    static CommandState ofCode(int code) {
        CommandState[] states = values();
        if (code < 0 || code >= states.length) {
            throw new IllegalArgumentException("no command state with code " + code);
        }
        return states[code];
    }
}
